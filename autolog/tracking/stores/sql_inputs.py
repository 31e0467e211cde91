"""What runs read and write on the SQL stores: dataset inputs (with their tags), model inputs and outputs.

A dataset is stored once per experiment, name and digest; every run that logs it points at
that row. Logging the same dataset to a run twice keeps the first input and its tags, as
MLflow does.
"""

from __future__ import annotations

from ..entities import Dataset, DatasetInput, InputTag, LoggedModelInput, LoggedModelOutput
from ..exceptions import InvalidInputError, NotFoundError
from .sql_run_rows import random_id

__all__ = ["SqlInputsMixin", "DATASET_CONTEXT_TAG", "check_dataset_inputs", "insert_new_run_datasets"]

DATASET_CONTEXT_TAG = "mlflow.data.context"
_MAX_DATASET_FIELD = {"name": 500, "digest": 36, "source_type": 36, "source": 65535, "schema": 1048575,
                      "profile": 16384}


def _check_dataset(dataset) -> None:
    if not isinstance(dataset, Dataset):
        raise InvalidInputError(f"Invalid dataset input {dataset!r}: expected a Dataset")
    for field, limit in _MAX_DATASET_FIELD.items():
        value = getattr(dataset, field)
        if field in ("name", "digest") and (not isinstance(value, str) or not value):
            raise InvalidInputError(f"Invalid dataset {field} {value!r}: expected a non-empty string")
        if value is not None and len(str(value)) > limit:
            raise InvalidInputError(f"Dataset {field} is {len(str(value))} characters; the limit is {limit}")


def check_dataset_inputs(datasets) -> None:
    """Raise InvalidInputError for an entry of ``datasets`` that is not a well-formed DatasetInput."""
    for dataset_input in datasets:
        if not isinstance(dataset_input, DatasetInput):
            raise InvalidInputError(f"Invalid dataset input {dataset_input!r}: expected a DatasetInput")
        _check_dataset(dataset_input.dataset)


def insert_new_run_datasets(cur, run_id: str, experiment_int: int, datasets: list) -> None:
    """Record ``datasets`` (checked DatasetInputs) as inputs of the run just inserted in this transaction; nothing
    when it was not (its experiment is deleted, and the caller refuses it)."""
    if cur.execute("SELECT 1 FROM runs WHERE run_uuid = ?", (run_id,)).fetchone() is None:
        return
    for dataset_input in datasets:
        SqlInputsMixin._insert_dataset_input(cur, run_id, experiment_int, dataset_input)


class SqlInputsMixin:
    """log_inputs, log_outputs, and the inputs and outputs attached to runs as they are read."""

    def log_inputs(self, run_id: str, datasets=None, models=None) -> None:
        """Record DatasetInputs and LoggedModelInputs a run read, in one transaction.

        Raises NotFoundError for an unknown run or model and InvalidInputError for a malformed dataset
        or a deleted run.
        """
        datasets, models = list(datasets or ()), list(models or ())
        for dataset_input in datasets:
            if not isinstance(dataset_input, DatasetInput):
                raise InvalidInputError(f"Invalid dataset input {dataset_input!r}: expected a DatasetInput")
            _check_dataset(dataset_input.dataset)
        with self.db.write() as cur:
            self._check_run_writable(cur, run_id)
            experiment_id = cur.execute("SELECT experiment_id FROM runs WHERE run_uuid = ?", (run_id,)).fetchone()[0]
            for dataset_input in datasets:
                self._insert_dataset_input(cur, run_id, experiment_id, dataset_input)
            for model in models:
                model_id = getattr(model, "model_id", model)
                if cur.execute("SELECT 1 FROM logged_models WHERE model_id = ?", (model_id,)).fetchone() is None:
                    raise NotFoundError(f"No logged model with id {model_id!r}")
                cur.execute("INSERT INTO run_model_inputs (run_uuid, model_id) VALUES (?, ?)"
                            " ON CONFLICT (run_uuid, model_id) DO NOTHING", (run_id, model_id))

    @staticmethod
    def _insert_dataset_input(cur, run_id: str, experiment_id, dataset_input) -> None:
        dataset = dataset_input.dataset
        row = cur.execute("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
                          (experiment_id, dataset.name, dataset.digest)).fetchone()
        if row is None:
            dataset_uuid = random_id()
            cur.execute("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source,"
                        " schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (dataset_uuid, experiment_id, dataset.name, dataset.digest, dataset.source_type,
                         dataset.source, dataset.schema, dataset.profile))
        else:
            dataset_uuid = row[0]
        if cur.execute("SELECT 1 FROM run_dataset_inputs WHERE run_uuid = ? AND dataset_uuid = ?",
                       (run_id, dataset_uuid)).fetchone():
            return
        seq = cur.execute("SELECT COUNT(*) FROM run_dataset_inputs WHERE run_uuid = ?", (run_id,)).fetchone()[0]
        cur.execute("INSERT INTO run_dataset_inputs (run_uuid, dataset_uuid, seq) VALUES (?, ?, ?)",
                    (run_id, dataset_uuid, seq))
        tags = {tag.key: str(tag.value) for tag in dataset_input.tags or ()}
        cur.executemany("INSERT INTO run_dataset_input_tags (run_uuid, dataset_uuid, key, value) VALUES (?, ?, ?, ?)",
                        [(run_id, dataset_uuid, key, value) for key, value in tags.items()])

    def log_outputs(self, run_id: str, models) -> None:
        """Record LoggedModelOutputs (model id and step) a run wrote; raises NotFoundError for unknown ids."""
        with self.db.write() as cur:
            self._check_run_writable(cur, run_id)
            for model in models or ():
                if cur.execute("SELECT 1 FROM logged_models WHERE model_id = ?", (model.model_id,)).fetchone() is None:
                    raise NotFoundError(f"No logged model with id {model.model_id!r}")
                cur.execute("INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES (?, ?, ?)"
                            " ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step",
                            (run_id, model.model_id, int(model.step or 0)))

    def _attach_inputs(self, runs: dict, chunk: list, marks: str) -> None:
        """Fill ``run.inputs`` and ``run.outputs`` of the runs whose ids are in ``chunk`` (one query)."""
        rows = self.db.query(
            "SELECT 'd', i.run_uuid, i.seq, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema,"
            " d.profile FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid"
            f" WHERE i.run_uuid IN ({marks})"
            " UNION ALL SELECT 't', run_uuid, NULL, dataset_uuid, key, value, NULL, NULL, NULL, NULL"
            f" FROM run_dataset_input_tags WHERE run_uuid IN ({marks})"
            " UNION ALL SELECT 'i', run_uuid, NULL, model_id, NULL, NULL, NULL, NULL, NULL, NULL"
            f" FROM run_model_inputs WHERE run_uuid IN ({marks})"
            " UNION ALL SELECT 'o', run_uuid, step, model_id, NULL, NULL, NULL, NULL, NULL, NULL"
            f" FROM run_model_outputs WHERE run_uuid IN ({marks})", chunk * 4)
        if not rows:
            return
        tags: dict = {}
        datasets = []
        for kind, run_id, number, identifier, *fields in rows:
            if kind == "d":
                datasets.append((run_id, number, identifier, fields))
            elif kind == "t":
                tags.setdefault((run_id, identifier), []).append(InputTag(fields[0], fields[1]))
            elif kind == "i":
                runs[run_id].inputs.model_inputs.append(LoggedModelInput(identifier))
            else:
                runs[run_id].outputs.model_outputs.append(LoggedModelOutput(identifier, number))
        for run_id, _seq, dataset_uuid, fields in sorted(datasets, key=lambda item: (item[0], item[1])):
            input_tags = sorted(tags.get((run_id, dataset_uuid), []), key=lambda tag: tag.key)
            runs[run_id].inputs.dataset_inputs.append(DatasetInput(Dataset(*fields), input_tags))
