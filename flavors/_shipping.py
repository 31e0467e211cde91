"""Ship a model directory to other processes (Spark executors, Dask workers) once, and load it there once.

The directory is packed into one compressed tar archive, named by the hash of its
bytes; a worker process unpacks and loads an archive the first time it sees that
name and reuses the loaded model for every later batch.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
import threading

__all__ = ["pack_model_dir", "load_shipped_model"]

_models = {}  # archive key -> PyFuncModel, in this process
_lock = threading.Lock()


def pack_model_dir(model_dir: str) -> tuple:
    """``(key, archive bytes)`` of the model directory ``model_dir``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        archive.add(model_dir, arcname="model")
    data = buffer.getvalue()
    return hashlib.sha256(data).hexdigest()[:24], data


def load_shipped_model(key: str, data):
    """The PyFuncModel packed as ``data`` (bytes, or a callable returning them), loaded once per process."""
    model = _models.get(key)
    if model is not None:
        return model
    with _lock:
        if key not in _models:
            import flavors.pyfunc

            blob = data() if callable(data) else data
            target = tempfile.mkdtemp(prefix=f"autolog-model-{key[:8]}-")
            with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # no links out of target
                archive.extractall(target, **safe)
            _models[key] = flavors.pyfunc.load_model(os.path.join(target, "model"), suppress_warnings=True)
        return _models[key]
