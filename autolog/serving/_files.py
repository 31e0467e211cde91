"""Read and write tables in row batches with pyarrow, so memory stays flat whatever the file size.

Formats are chosen by extension: ``.parquet``/``.pq``, ``.csv``, ``.jsonl``/``.ndjson``/``.json``
(JSON lines), or a directory of Parquet files (Spark's and Dask's output, for one).
A source yields ``pyarrow.RecordBatch`` objects of at most ``batch_size`` rows and says
how far through the input it is; a sink writes batches as they come.
"""

from __future__ import annotations

import glob
import os
import re

from ..tracking.exceptions import InvalidInputError, NotFoundError

__all__ = ["detect_format", "open_source", "open_sink", "arrow_types", "rebatch", "FORMATS"]

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl"}
_TEXT_BLOCK_BYTES = 4 << 20
_ROWS_PER_OUTPUT_FILE = 1_000_000
# MLflow's column types as Arrow types, so a CSV column parses as the signature says.
_ARROW_TYPES = {"double": "float64", "float": "float32", "long": "int64", "integer": "int32",
                "boolean": "bool_", "string": "string"}


def detect_format(path: str, for_output: bool = False) -> str:
    """``parquet``, ``csv``, ``jsonl`` or ``parquet-dir`` for ``path``; raises InvalidInputError otherwise."""
    if os.path.isdir(path) or (for_output and (path.endswith(os.sep) or not os.path.splitext(path)[1])):
        return "parquet-dir"
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise InvalidInputError(f"Cannot tell the format of {path!r} from its extension {extension!r}: "
                                f"expected one of {sorted(FORMATS)} or a directory of Parquet files")
    return FORMATS[extension]


def arrow_types(schema) -> dict:
    """``{column: pyarrow type}`` for the typed, named columns of a signature's input schema."""
    import pyarrow as pa

    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return {}
    return {spec.name: getattr(pa, _ARROW_TYPES[spec.type])() for spec in schema.inputs
            if spec.type in _ARROW_TYPES}


class _Source:
    """Batches of an input, its Arrow schema once known and the fraction of it read so far."""

    def __init__(self, batches, fraction, schema=None, total_rows=None):
        self._batches, self._fraction = batches, fraction
        self.schema, self.total_rows = schema, total_rows

    def __iter__(self):
        for batch in self._batches:
            self.schema = batch.schema
            yield batch

    def fraction_done(self):
        """How much of the input has been read (0 to 1), or None when unknown."""
        return self._fraction()


def open_source(path: str, batch_size: int, column_types=None) -> _Source:
    """A source of RecordBatches of at most ``batch_size`` rows from ``path``.

    ``column_types`` (``{name: pyarrow type}``) fixes how CSV columns are parsed. Raises
    NotFoundError for a missing input and InvalidInputError for an unknown format or
    unreadable data (naming the column where the reader says which).
    """
    if not os.path.exists(path):
        raise NotFoundError(f"No input at {path}: no such file or directory")
    kind = detect_format(path)
    if kind in ("parquet", "parquet-dir"):
        return _parquet_source(_parquet_files(path) if kind == "parquet-dir" else [path], batch_size)
    handle = open(path, "rb")
    size = max(os.fstat(handle.fileno()).st_size, 1)
    fraction = lambda: 1.0 if handle.closed else min(handle.tell() / size, 1.0)  # noqa: E731
    if kind == "jsonl":
        return _Source(_closing(_jsonl_batches(handle, batch_size), handle), fraction)
    try:
        reader = _open_csv(handle, column_types or {})
    except InvalidInputError as error:  # reported when the first batch is read, naming it
        handle.close()
        return _Source(_raising(error), fraction)
    if reader is None:
        handle.close()
        return _Source(iter(()), fraction)
    return _Source(_closing(rebatch(_read_blocks(reader), batch_size), handle), fraction, reader.schema)


def _raising(error):
    raise error
    yield  # noqa: unreachable - makes this a generator


def _closing(batches, handle):
    with handle:
        yield from batches


def _parquet_files(directory: str) -> list:
    files = sorted(name for name in glob.glob(os.path.join(directory, "**", "*"), recursive=True)
                   if os.path.isfile(name) and not os.path.basename(name).startswith(("_", "."))
                   and not name.endswith((".crc", ".json")))
    if not files:
        raise InvalidInputError(f"The directory {directory} holds no Parquet files")
    return files


def _parquet_source(files: list, batch_size: int) -> _Source:
    """Batches of each file in turn; the row count comes from the footers, so the share done is exact."""
    import pyarrow.parquet as pq

    try:
        total = sum(pq.read_metadata(name).num_rows for name in files)
        schema = pq.read_schema(files[0])
    except Exception as error:  # noqa: BLE001 - pyarrow raises ArrowInvalid/OSError for a bad file
        raise InvalidInputError(f"Cannot read Parquet input: {error}") from error
    done = [0]

    def batches():
        for name in files:
            # pre_buffer (pyarrow's default) keeps every row group read so far until the file is closed:
            # memory would grow with the file. Without it memory stays flat, and local reads are no slower.
            with pq.ParquetFile(name, pre_buffer=False) as reader:
                for batch in reader.iter_batches(batch_size=batch_size):
                    done[0] += batch.num_rows
                    yield batch

    return _Source(batches(), lambda: done[0] / total if total else 1.0, schema, total)


def _open_csv(handle, column_types: dict):
    """A streaming CSV reader, or None for an empty file."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        return pacsv.open_csv(handle, read_options=pacsv.ReadOptions(block_size=_TEXT_BLOCK_BYTES),
                              convert_options=pacsv.ConvertOptions(column_types=column_types))
    except pa.ArrowInvalid as error:
        if "Empty CSV file" in str(error):
            return None
        raise InvalidInputError(f"Cannot read CSV input: {_name_csv_column(str(error), _header(handle))}") \
            from error


def _header(handle) -> list:
    """The column names on the first line of a CSV file."""
    import csv
    import io

    handle.seek(0)
    return next(csv.reader(io.TextIOWrapper(handle, encoding="utf-8", errors="replace")), [])


def _read_blocks(reader):
    import pyarrow as pa

    names = reader.schema.names
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise InvalidInputError(f"Cannot read CSV input: {_name_csv_column(str(error), names)}") from error


def _name_csv_column(message: str, names: list) -> str:
    match = re.search(r"In CSV column #(\d+)", message)
    if match and names and int(match.group(1)) < len(names):
        return message.replace(match.group(0), f"In column {names[int(match.group(1))]!r}")
    return message


def _jsonl_batches(handle, batch_size: int):
    import pandas as pd
    import pyarrow as pa

    try:
        for chunk in pd.read_json(handle, lines=True, chunksize=batch_size):
            yield _arrow_batch(chunk)
    except ValueError as error:
        raise InvalidInputError(f"Cannot read JSON lines input: {error}") from error


def _arrow_batch(frame):
    import pyarrow as pa

    try:
        return pa.RecordBatch.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        reason, *where = error.args if len(error.args) > 1 else (str(error),)
        match = re.search(r"column (.+) with type", " ".join(map(str, where)))
        column = f"column {match.group(1)!r} " if match else ""
        raise InvalidInputError(f"{column}holds values of mixed types: {reason}") from None


def rebatch(batches, batch_size: int):
    """Re-cut a stream of RecordBatches into batches of exactly ``batch_size`` rows (the last one shorter)."""
    import pyarrow as pa

    pending, pending_rows = [], 0
    for batch in batches:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= batch_size:
            table = pa.Table.from_batches(pending).combine_chunks()
            yield table.slice(0, batch_size).to_batches()[0]
            rest = table.slice(batch_size)
            pending, pending_rows = (rest.to_batches() if rest.num_rows else []), rest.num_rows
    if pending_rows:
        yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]


class _Sink:
    """Writes RecordBatches to one output, every batch cast to the first batch's schema."""

    def __init__(self, path: str, kind: str):
        self.path, self.kind, self.schema = path, kind, None
        self._writer, self._rows_in_file, self._files = None, 0, 0

    def write(self, batch) -> None:
        """Append ``batch`` to the output."""
        import pyarrow as pa

        if self.schema is None:
            self.schema = batch.schema
        elif batch.schema != self.schema:
            batch = pa.Table.from_batches([batch]).cast(self.schema).combine_chunks().to_batches()[0]
        if self._writer is None or (self.kind == "parquet-dir" and self._rows_in_file >= _ROWS_PER_OUTPUT_FILE):
            self._open_next()
        self._writer.write(batch) if self.kind != "jsonl" else self._write_jsonl(batch)
        self._rows_in_file += batch.num_rows

    def _open_next(self) -> None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self._close_writer()
        if self.kind == "parquet-dir":
            os.makedirs(self.path, exist_ok=True)
            target = os.path.join(self.path, f"part-{self._files:05d}.parquet")
            self._files += 1
            self._writer = pq.ParquetWriter(target, self.schema)
        elif self.kind == "parquet":
            self._writer = pq.ParquetWriter(self.path, self.schema)
        elif self.kind == "csv":
            self._writer = pacsv.CSVWriter(self.path, self.schema)
        else:
            self._writer = open(self.path, "w", encoding="utf-8")
        self._rows_in_file = 0

    def _write_jsonl(self, batch) -> None:
        text = batch.to_pandas().to_json(orient="records", lines=True, date_format="iso")
        self._writer.write(text if text.endswith("\n") or not text else text + "\n")

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self, empty_schema=None) -> None:
        """Finish the output; with nothing written, write an empty table of ``empty_schema``."""
        if self.schema is None and empty_schema is not None:
            import pyarrow as pa

            self.write(pa.RecordBatch.from_pylist([], schema=empty_schema))
        self._close_writer()


def open_sink(path: str) -> _Sink:
    """A sink writing to ``path`` in the format its extension names (a directory: Parquet part files).

    Raises InvalidInputError for an unknown extension or a missing parent directory.
    """
    kind = detect_format(path, for_output=True)
    parent = os.path.dirname(os.path.abspath(path.rstrip(os.sep)))
    if not os.path.isdir(parent):
        raise InvalidInputError(f"Cannot write {path}: the directory {parent} does not exist")
    return _Sink(path.rstrip(os.sep) if kind == "parquet-dir" else path, kind)
