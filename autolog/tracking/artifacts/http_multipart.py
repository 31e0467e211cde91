"""Multipart upload of a big file to a tracking server's artifact proxy (MLflow's ``mpu`` protocol).

A file of at least ``AUTOLOG_MULTIPART_UPLOAD_MIN_BYTES`` (default 500 MB) goes up in parts of
``AUTOLOG_MULTIPART_UPLOAD_CHUNK_BYTES`` (default 64 MB), each streamed from disk and retried on
its own, so a dropped connection costs one part, not the whole file. A failed upload is aborted
on the server. A server without the routes answers 404 and the caller falls back to one PUT.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from ..exceptions import NotFoundError

__all__ = ["multipart_threshold", "upload_in_parts", "FileSlice"]

_MPU_PATH = "/api/2.0/mlflow-artifacts/mpu"
_PART_PATH = _MPU_PATH + "/part"


def multipart_threshold() -> tuple:
    """(minimum file size, part size) in bytes, from the environment."""
    minimum = int(os.environ.get("AUTOLOG_MULTIPART_UPLOAD_MIN_BYTES", str(500 * 1024 ** 2)))
    chunk = int(os.environ.get("AUTOLOG_MULTIPART_UPLOAD_CHUNK_BYTES", str(64 * 1024 ** 2)))
    return minimum, max(chunk, 1)


class FileSlice:
    """``size`` bytes of an open file from ``start``, readable as a request body (and rewound on retry)."""

    def __init__(self, handle, start: int, size: int):
        self._handle, self._start, self._size, self._left = handle, start, size, size
        handle.seek(start)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Rewind to the slice's start (the only seek a retry needs)."""
        self._handle.seek(self._start)
        self._left = self._size
        return 0

    def read(self, amount: int = -1) -> bytes:
        """Up to ``amount`` bytes of what remains of the slice."""
        amount = self._left if amount is None or amount < 0 else min(amount, self._left)
        data = self._handle.read(amount)
        self._left -= len(data)
        return data


def _relative_part_url(session, url: str) -> str:
    if url.startswith(session.base_url + "/"):
        return url[len(session.base_url):]
    return url[url.index(_PART_PATH):]


def upload_in_parts(session, local_file: str, remote_dir: str, chunk: int) -> bool:
    """Upload ``local_file`` as ``remote_dir/<its name>`` in parts; False when the server has no multipart
    routes (nothing was sent). Raises the session's errors; a failed upload is aborted first."""
    size = os.path.getsize(local_file)
    num_parts = max(1, -(-size // chunk))
    body = {"path": os.path.basename(local_file), "num_parts": num_parts}
    try:
        created = session.call("POST", f"{_MPU_PATH}/create/{quote(remote_dir)}", body)
    except NotFoundError:
        return False
    try:
        parts = []
        with open(local_file, "rb") as handle:
            for credential in created["credentials"]:
                start = (int(credential["part_number"]) - 1) * chunk
                length = min(chunk, size - start)
                session.request("PUT", _relative_part_url(session, credential["url"]), FileSlice(handle, start, length),
                                {"Content-Length": str(length), "Content-Type": "application/octet-stream"})
                parts.append({"part_number": credential["part_number"]})
        session.call("POST", f"{_MPU_PATH}/complete/{quote(remote_dir)}",
                     dict(body, upload_id=created["upload_id"], parts=parts))
    except BaseException:
        try:
            session.call("POST", f"{_MPU_PATH}/abort/{quote(remote_dir)}", dict(body, upload_id=created["upload_id"]))
        except Exception:  # the upload's own error is the one to report
            pass
        raise
    return True
