"""Datasets as runs record them: ``from_pandas`` and ``from_numpy`` (MLflow's ``mlflow.data``).

    dataset = autolog.data.from_pandas(df, source="data/train.csv", targets="label", name="train")
    autolog.log_input(dataset, context="training")

A dataset has a name, a digest of its content (a sample of at most 10,000 rows, so it
costs the same for any size), a source (where it came from), a schema and a profile
(row and element counts) in MLflow's JSON forms.
"""

from __future__ import annotations

import json
import os

__all__ = ["DatasetSource", "PandasDataset", "NumpyDataset", "from_pandas", "from_numpy", "DEFAULT_NAME"]

DEFAULT_NAME = "dataset"


class DatasetSource:
    """Where a dataset came from: ``source_type`` ("local", "http", "s3", "code"...) and its JSON details."""

    def __init__(self, source_type: str, details: dict):
        self.source_type = source_type
        self.details = details

    def to_json(self) -> str:
        """The source as MLflow writes it (``{"uri": ...}``, ``{"url": ...}`` or ``{"tags": {...}}``)."""
        return json.dumps(self.details)

    def to_dict(self) -> dict:
        """The source's details."""
        return dict(self.details)

    def __repr__(self):
        return f"DatasetSource({self.source_type!r}, {self.details!r})"

    @classmethod
    def resolve(cls, source) -> "DatasetSource":
        """A DatasetSource for a path or URI string; the code that is running when ``source`` is None."""
        if isinstance(source, DatasetSource):
            return source
        if source is None:
            from .tracking.run_context import system_tags

            tags = system_tags()
            return cls("code", {"tags": {key: tags[key] for key in
                                         ("mlflow.user", "mlflow.source.name", "mlflow.source.type")}})
        text = os.fspath(source)
        scheme = text.split("://", 1)[0].lower() if "://" in text else ""
        if scheme in ("http", "https"):
            return cls("http", {"url": text})
        if scheme in ("", "file"):
            path = text[len("file://"):] if scheme == "file" else text
            return cls("local", {"uri": os.path.abspath(path)})
        return cls(scheme, {"uri": text})


class _Dataset:
    """What PandasDataset and NumpyDataset share: name, digest, source and the entity runs store."""

    def __init__(self, name, digest, source: DatasetSource):
        self.name = name or DEFAULT_NAME
        self._digest = digest
        self.source = source

    @property
    def digest(self) -> str:
        """A short hex digest of the content."""
        if self._digest is None:
            self._digest = self._compute_digest()
        return self._digest

    def to_entity(self):
        """The autolog.entities.Dataset a run records for this dataset."""
        from .tracking.entities import Dataset

        return Dataset(self.name, self.digest, self.source.source_type, self.source.to_json(),
                       json.dumps(self.schema_dict()), json.dumps(self.profile))

    def to_dict(self) -> dict:
        """The dataset's fields as strings, as MLflow's ``Dataset.to_dict``."""
        entity = self.to_entity()
        return {"name": entity.name, "digest": entity.digest, "source": entity.source,
                "source_type": entity.source_type, "schema": entity.schema, "profile": entity.profile}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, digest={self.digest!r})"


class PandasDataset(_Dataset):
    """A pandas DataFrame as a dataset; ``targets`` and ``predictions`` name columns of it."""

    def __init__(self, df, source, targets=None, name=None, digest=None, predictions=None):
        for column in (targets, predictions):
            if column is not None and column not in df.columns:
                from .tracking.exceptions import InvalidInputError

                raise InvalidInputError(f"Column {column!r} is not in the DataFrame (it has {list(df.columns)})")
        self.df, self.targets, self.predictions = df, targets, predictions
        super().__init__(name, digest, source)

    def _compute_digest(self) -> str:
        from .integrations._datasets import fingerprint

        return fingerprint(self.df)["digest"]

    @property
    def features(self):
        """The DataFrame without its targets and predictions columns."""
        dropped = [c for c in (self.targets, self.predictions) if c is not None]
        return self.df.drop(columns=dropped) if dropped else self.df

    @property
    def schema(self):
        """The columns' schema (a flavors Schema)."""
        from flavors.signature import infer_schema

        return infer_schema(self.df)

    def schema_dict(self) -> dict:
        """The schema in MLflow's JSON form for a DataFrame."""
        return {"mlflow_colspec": [spec.to_dict() for spec in self.schema.inputs]}

    @property
    def profile(self) -> dict:
        """Row and element counts."""
        return {"num_rows": int(len(self.df)), "num_elements": int(self.df.size)}


class NumpyDataset(_Dataset):
    """A numpy array of features (and optionally targets) as a dataset."""

    def __init__(self, features, source, targets=None, name=None, digest=None):
        import numpy as np

        self.features = np.asarray(features)
        self.targets = None if targets is None else np.asarray(targets)
        super().__init__(name, digest, source)

    def _compute_digest(self) -> str:
        from .integrations._datasets import fingerprint

        return fingerprint(self.features, self.targets)["digest"]

    def schema_dict(self) -> dict:
        """The schema in MLflow's JSON form for arrays: tensor specs of features and targets."""
        from flavors.signature import infer_schema

        specs = {"features": infer_schema(self.features).to_json()}
        if self.targets is not None:
            specs["targets"] = infer_schema(self.targets).to_json()
        return {"mlflow_tensorspec": specs}

    @property
    def profile(self) -> dict:
        """Shapes, sizes and byte counts of features and targets."""
        profile = {}
        for part, array in (("features", self.features), ("targets", self.targets)):
            if array is not None:
                profile.update({f"{part}_shape": list(array.shape), f"{part}_size": int(array.size),
                                f"{part}_nbytes": int(array.nbytes)})
        return profile


def from_pandas(df, source=None, targets=None, name=None, digest=None, predictions=None) -> PandasDataset:
    """A dataset for a pandas DataFrame; ``source`` is a path or URI it was read from (the running code
    when None), ``targets``/``predictions`` name columns.

    Raises InvalidInputError when a named column is missing.
    """
    return PandasDataset(df, DatasetSource.resolve(source), targets, name, digest, predictions)


def from_numpy(features, source=None, targets=None, name=None, digest=None) -> NumpyDataset:
    """A dataset for numpy features (and targets); ``source`` as in from_pandas."""
    return NumpyDataset(features, DatasetSource.resolve(source), targets, name, digest)
