"""The MLmodel descriptor: which flavors a model directory holds, its signature and its provenance.

The file is YAML with MLflow's field names, so tools that read MLflow models read
ours and the other way round. Reading is defensive: a missing, unreadable or
malformed MLmodel raises an error naming the path.
"""

from __future__ import annotations

import datetime
import os
import uuid

from ._errors import invalid_input, not_found

__all__ = ["Model", "ModelInfo", "flavor_config", "MLMODEL_FILE", "PYFUNC_FLAVOR"]

MLMODEL_FILE = "MLmodel"
PYFUNC_FLAVOR = "python_function"


def _yaml():
    import yaml

    return yaml


class Model:
    """An MLmodel descriptor: ``flavors`` (name → config dict), ``signature``, ``saved_input_example_info``,
    ``model_uuid``, ``run_id``, ``artifact_path``, ``utc_time_created`` and optional ``metadata``.

    Keys this class does not know are kept and written back unchanged.
    """

    def __init__(self, artifact_path=None, run_id=None, utc_time_created=None, flavors=None, signature=None,
                 saved_input_example_info=None, model_uuid=None, metadata=None, **extra):
        self.artifact_path = artifact_path
        self.run_id = run_id
        self.utc_time_created = utc_time_created or str(datetime.datetime.now(datetime.timezone.utc)
                                                        .replace(tzinfo=None))
        self.flavors = dict(flavors or {})
        self.signature = signature
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid or uuid.uuid4().hex
        self.metadata = metadata
        self.extra = extra

    def add_flavor(self, name: str, **params) -> "Model":
        """Add (or replace) the config of flavor ``name``; return self."""
        self.flavors[name] = params
        return self

    def get_input_schema(self):
        """The signature's input Schema, or None."""
        return self.signature.inputs if self.signature is not None else None

    def get_output_schema(self):
        """The signature's output Schema, or None."""
        return self.signature.outputs if self.signature is not None else None

    def to_dict(self) -> dict:
        """The descriptor as the plain dict written to the MLmodel file."""
        result = {"artifact_path": self.artifact_path, "flavors": self.flavors, "model_uuid": self.model_uuid,
                  "run_id": self.run_id, "utc_time_created": self.utc_time_created}
        if self.signature is not None:
            result["signature"] = self.signature.to_dict()
        if self.saved_input_example_info is not None:
            result["saved_input_example_info"] = self.saved_input_example_info
        if self.metadata is not None:
            result["metadata"] = self.metadata
        result.update(self.extra)
        return {key: value for key, value in result.items() if value is not None or key == "flavors"}

    def to_yaml(self) -> str:
        """The MLmodel file's text."""
        from ._yaml_text import dump

        text = dump(self.to_dict(), sort_keys=True)  # plain data (the usual case) without importing PyYAML
        if text is not None:
            return text
        yaml = _yaml()
        # libyaml's emitter when present: the same text as the pure-Python one, several times faster
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(self.to_dict(), Dumper=dumper, default_flow_style=False, sort_keys=True)

    def save(self, path: str) -> None:
        """Write the descriptor to ``path`` (a file path, normally ``<model dir>/MLmodel``)."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.to_yaml())

    @classmethod
    def from_dict(cls, data: dict) -> "Model":
        """Build a Model from a parsed MLmodel dict. Raises InvalidInputError for a malformed signature."""
        data = dict(data)
        signature = data.pop("signature", None)
        if signature is not None:
            from .signature import ModelSignature

            signature = ModelSignature.from_dict(signature)
        return cls(signature=signature, **data)

    @classmethod
    def load(cls, path: str) -> "Model":
        """Read the descriptor at ``path``: a model directory, its MLmodel file, or any model URI
        (``runs:/``, ``models:/``, ``file://``...).

        Raises NotFoundError when there is no MLmodel and InvalidInputError when it is not a
        readable MLmodel (bad YAML, not a mapping, no flavors).
        """
        path = os.fspath(path)
        if not os.path.exists(path) and (path.startswith(("runs:", "models:")) or "://" in path):
            from ._paths import resolve_model_dir

            path = resolve_model_dir(path)
        file_path = os.path.join(path, MLMODEL_FILE) if os.path.isdir(path) else path
        if not os.path.isfile(file_path):
            where = path if os.path.exists(path) else f"{path} (no such file or directory)"
            raise not_found(f"Not a model directory: no {MLMODEL_FILE} file in {where}")
        return cls.from_dict(_read_descriptor(file_path))

    def load_input_example(self, model_dir: str):
        """The saved input example (DataFrame, ndarray or JSON object), or None when none was saved."""
        if not self.saved_input_example_info:
            return None
        from .input_example import load_input_example

        return load_input_example(model_dir, self.saved_input_example_info)

    def __repr__(self):
        return f"<Model flavors={sorted(self.flavors)} uuid={self.model_uuid}>"


def _read_descriptor(file_path: str) -> dict:
    yaml = _yaml()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(file_path, "rb") as handle:
            data = yaml.load(handle, Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise invalid_input(f"Corrupt {MLMODEL_FILE} file at {file_path}: {error}") from None
    if not isinstance(data, dict):
        raise invalid_input(f"Corrupt {MLMODEL_FILE} file at {file_path}: expected a YAML mapping, "
                            f"got {type(data).__name__}")
    flavors = data.get("flavors")
    if not isinstance(flavors, dict) or not flavors or not all(isinstance(v, dict) for v in flavors.values()):
        raise invalid_input(f"Corrupt {MLMODEL_FILE} file at {file_path}: 'flavors' must be a non-empty mapping "
                            f"of flavor name to its config")
    return data


def flavor_config(model: Model, flavor: str, model_dir: str) -> dict:
    """The config of ``flavor`` in ``model``; raises InvalidInputError naming the path when it is absent."""
    conf = model.flavors.get(flavor)
    if conf is None:
        raise invalid_input(f"The model at {model_dir} has no {flavor!r} flavor (it has {sorted(model.flavors)})")
    return conf


_MODEL_INFO_FIELDS = ("model_uri", "run_id", "artifact_path", "flavors", "model_uuid", "utc_time_created",
                      "signature", "saved_input_example_info", "metadata", "registered_model_version", "model_id",
                      "name", "params", "tags", "metrics")


class ModelInfo:
    """What ``log_model`` returns: where the model went and what it holds.

    A plain class with a dataclass's ``__init__``, ``__repr__`` and ``__eq__``: making a dataclass of these
    fields costs a script's first model save more than a millisecond.
    """

    def __init__(self, model_uri: str, run_id: str, artifact_path: str, flavors: dict, model_uuid: str,
                 utc_time_created: str, signature=None, saved_input_example_info=None, metadata=None,
                 registered_model_version=None, model_id=None, name=None, params=None, tags=None, metrics=None):
        self.model_uri, self.run_id, self.artifact_path, self.flavors = model_uri, run_id, artifact_path, flavors
        self.model_uuid, self.utc_time_created, self.signature = model_uuid, utc_time_created, signature
        self.saved_input_example_info, self.metadata = saved_input_example_info, metadata
        self.registered_model_version, self.model_id, self.name = registered_model_version, model_id, name
        self.params, self.tags, self.metrics = params, tags, metrics

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _MODEL_INFO_FIELDS)
        return f"ModelInfo({fields})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _MODEL_INFO_FIELDS)

    __hash__ = None  # mutable, compared by value

    @classmethod
    def from_model(cls, model: Model, model_uri: str, registered_model_version=None,
                   logged_model=None) -> "ModelInfo":
        """A ModelInfo for descriptor ``model`` logged at ``model_uri`` (as the LoggedModel ``logged_model``)."""
        info = cls(model_uri=model_uri, run_id=model.run_id, artifact_path=model.artifact_path,
                   flavors=model.flavors, model_uuid=model.model_uuid, utc_time_created=model.utc_time_created,
                   signature=model.signature, saved_input_example_info=model.saved_input_example_info,
                   metadata=model.metadata, registered_model_version=registered_model_version)
        if logged_model is not None:
            info.model_id, info.name = logged_model.model_id, logged_model.name
            info.params, info.tags, info.metrics = logged_model.params, logged_model.tags, logged_model.metrics
        return info
