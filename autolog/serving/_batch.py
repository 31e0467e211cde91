"""Batch scoring of a file: read a batch, score it, write it, so memory stays flat whatever the size.

Every batch goes through the model's ``predict`` with its signature enforced; an error
names the column (from the schema check) and the batch and rows it happened in. With
``workers > 1`` batches are scored in that many processes, each loading the model once,
and written in input order.
"""

from __future__ import annotations

import dataclasses
import time

from ..tracking.exceptions import AutologError, InvalidInputError

__all__ = ["predict_file", "ScoringSummary", "score_batch"]

DEFAULT_BATCH_SIZE = 100_000


@dataclasses.dataclass
class ScoringSummary:
    """What one ``predict_file`` call did."""

    rows: int
    batches: int
    seconds: float
    output_path: str


def _model_inputs(model, columns):
    """The columns the model reads: ``columns``, else the signature's names, else None (all columns)."""
    if columns:
        return list(columns)
    schema = model.metadata.get_input_schema()
    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return None
    return [spec.name for spec in schema.inputs]


class BatchScorer:
    """Scores one RecordBatch into an output RecordBatch: kept columns, then prediction columns."""

    def __init__(self, model, columns=None, keep_columns=None):
        from flavors._outputs import output_names

        self.model = model
        self.columns = _model_inputs(model, columns)
        self.required = set(self.columns or ()) - set(self._optional_names())
        self.keep_columns = keep_columns
        self.output_names = output_names(model)

    def _optional_names(self):
        schema = self.model.metadata.get_input_schema()
        if schema is None or schema.is_tensor_spec():
            return []
        return [spec.name for spec in schema.inputs if not spec.required]

    def kept(self, names: list) -> list:
        """The input columns copied to the output, from the columns of the input."""
        if self.keep_columns is None:
            return []
        if not self.keep_columns:
            return list(names)
        missing = [name for name in self.keep_columns if name not in names]
        if missing:
            raise InvalidInputError(f"--keep-columns names column(s) {missing} that the input lacks; "
                                    f"it has {names}")
        return list(self.keep_columns)

    def score(self, batch):
        """The output RecordBatch for ``batch``. Raises InvalidInputError for input the model cannot take."""
        import pyarrow as pa
        from flavors._outputs import prediction_columns

        names = batch.schema.names
        missing = [name for name in self.required if name not in names]
        if missing:
            raise InvalidInputError(f"the input lacks the model's input column(s) {sorted(missing)}; "
                                    f"it has {names}")
        selected = [name for name in self.columns if name in names] if self.columns else names
        frame = batch.select(selected).to_pandas()
        predictions = prediction_columns(self.model.predict(frame), self.output_names)
        kept = self.kept(names)
        clash = sorted(set(kept) & set(predictions))
        if clash:
            raise InvalidInputError(f"kept column(s) {clash} would overwrite the prediction column(s) of "
                                    "the same name: keep other columns or rename them")
        arrays = [batch.column(name) for name in kept] + [_arrow_array(values) for values in predictions.values()]
        return pa.RecordBatch.from_arrays(arrays, names=kept + list(predictions))


def _arrow_array(values):
    import pyarrow as pa

    return pa.array(values, from_pandas=True)


def score_batch(scorer: BatchScorer, batch, index: int, first_row: int):
    """``scorer.score(batch)`` with any failure turned into an error naming the batch and its rows."""
    try:
        return scorer.score(batch)
    except Exception as error:  # noqa: BLE001 - a framework error must name the batch it came from
        where = f"batch {index + 1} (rows {first_row + 1:,}–{first_row + batch.num_rows:,})"
        kind = InvalidInputError if isinstance(error, (AutologError, ValueError, TypeError, KeyError)) \
            else AutologError
        raise kind(f"Scoring failed in {where}: {error}") from error


def _empty_output_schema(scorer: BatchScorer, source):
    """Kept columns plus a float ``prediction`` column: the output of an input with no rows."""
    import pyarrow as pa

    fields = []
    if source.schema is not None:
        fields = [source.schema.field(name) for name in scorer.kept(source.schema.names)]
    return pa.schema(fields + [pa.field("prediction", pa.float64())])


def predict_file(model_uri, input_path: str, output_path: str, batch_size: int = DEFAULT_BATCH_SIZE,
                 columns=None, keep_columns=None, workers: int = 1, progress=None) -> ScoringSummary:
    """Score the table at ``input_path`` with the model at ``model_uri`` and write ``output_path``.

    ``columns`` picks the model's input columns (default: the signature's, else all);
    ``keep_columns`` copies input columns to the output (an empty list: all of them);
    ``progress`` is a Progress (or None). Raises NotFoundError for a missing model or input and
    InvalidInputError naming the column and the batch for input the model cannot score.
    """
    import flavors.pyfunc

    from ._files import arrow_types, open_sink, open_source

    started = time.perf_counter()
    model = flavors.pyfunc.load_model(model_uri)
    scorer = BatchScorer(model, columns, keep_columns)
    source = open_source(input_path, batch_size, arrow_types(model.metadata.get_input_schema()))
    sink = open_sink(output_path)
    rows = batches = 0
    try:
        for output in _scored(scorer, source, workers, model.model_dir, columns, keep_columns):
            sink.write(output)
            rows += output.num_rows
            batches += 1
            if progress is not None:
                progress.update(output.num_rows, source.fraction_done())
        sink.close(_empty_output_schema(scorer, source))
    finally:
        sink.close()
        if progress is not None:
            progress.close()
    return ScoringSummary(rows, batches, time.perf_counter() - started, output_path)


def _scored(scorer, source, workers: int, model_dir: str, columns, keep_columns):
    batches = _read_ahead(_numbered(source))
    if workers <= 1:
        for index, first_row, batch in batches:
            yield score_batch(scorer, batch, index, first_row)
        return
    from ._workers import score_in_processes

    yield from score_in_processes(batches, workers, model_dir, columns, keep_columns)


def _numbered(source):
    """(index, first row, batch) for each batch of ``source``; a read error names the batch being read."""
    iterator = iter(source)
    index = first_row = 0
    while True:
        try:
            batch = next(iterator)
        except StopIteration:
            return
        except InvalidInputError as error:
            raise InvalidInputError(f"Reading batch {index + 1} (from row {first_row + 1:,}) failed: {error}") \
                from error
        yield index, first_row, batch
        index += 1
        first_row += batch.num_rows


def _read_ahead(iterator, depth: int = 2):
    """``iterator``'s items, produced by a thread up to ``depth`` items ahead, so that reading and
    decoding the next batch (pyarrow releases the GIL) overlaps scoring this one."""
    import queue
    import threading

    items, done, stop = queue.Queue(depth), object(), threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in iterator:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            put((done, error))

    thread = threading.Thread(target=produce, name="autolog-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join()

