"""Artifacts in an S3 bucket (or an S3-compatible server) under ``s3://bucket/prefix``.

boto3 finds credentials the standard way (environment, shared config and credentials files,
instance or container roles); ``AUTOLOG_S3_ENDPOINT_URL``, else ``MLFLOW_S3_ENDPOINT_URL``,
points it at another S3-compatible server (MinIO, Ceph, ...). Files travel through boto3's
transfer manager: multipart uploads and ranged downloads above ``multipart_threshold``,
streamed to and from disk, never held whole in memory. Listings are paginated.
"""

from __future__ import annotations

import os
import posixpath
import threading
from concurrent.futures import ThreadPoolExecutor

from ..entities import FileInfo
from ..exceptions import InvalidInputError, NotFoundError, StoreError
from ..validation import safe_artifact_path
from .base import ArtifactRepository

__all__ = ["S3ArtifactRepository", "ENDPOINT_ENVS", "parse_s3_uri"]

ENDPOINT_ENVS = ("AUTOLOG_S3_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL")
_PARALLEL_FILES = 8
_PAGE_SIZE = 1000  # keys per listing request (S3's maximum)
_clients: dict = {}
_clients_lock = threading.Lock()


def parse_s3_uri(uri: str) -> tuple:
    """(bucket, key prefix without slashes at either end) of ``s3://bucket/prefix``; InvalidInputError otherwise."""
    if not uri.lower().startswith("s3://"):
        raise InvalidInputError(f"Not an S3 URI: {uri!r}")
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    if not bucket:
        raise InvalidInputError(f"Invalid S3 URI {uri!r}: expected s3://bucket/prefix")
    return bucket, prefix.strip("/")


def _client():
    """One boto3 S3 client per process and endpoint (clients are thread-safe; creating one is slow)."""
    endpoint = next((os.environ[name] for name in ENDPOINT_ENVS if os.environ.get(name)), None)
    key = (endpoint, os.getpid())
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                try:
                    import boto3
                except ImportError:
                    raise StoreError("S3 artifacts need boto3: pip install 'autolog[s3]'") from None
                from botocore.config import Config

                client = boto3.session.Session().client(
                    "s3", endpoint_url=endpoint,
                    config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                  max_pool_connections=_PARALLEL_FILES * 2))
                _clients[key] = client
    return client


def _transfer_config():
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)


class S3ArtifactRepository(ArtifactRepository):
    """Artifacts stored as objects under one key prefix of one bucket.

    Raises StoreError when S3 refuses a request (no credentials, no bucket, access denied...).
    """

    def __init__(self, root_uri: str):
        super().__init__(root_uri.rstrip("/"))
        self.bucket, self.prefix = parse_s3_uri(root_uri)

    # -- keys -------------------------------------------------------------
    def _key(self, relative: str) -> str:
        return "/".join(part for part in (self.prefix, relative) if part)

    def _dir_prefix(self, relative: str) -> str:
        key = self._key(relative)
        return f"{key}/" if key else ""

    def _call(self, what: str, operation, *args, **kwargs):
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(*args, **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") in ("404", "NoSuchKey"):
                raise NotFoundError(f"No artifact {what} in {self.root_uri}") from None
            raise StoreError(f"S3 refused {what} in {self.root_uri}: {error.get('Code')} "
                             f"{error.get('Message', '')}".rstrip()) from None
        except (BotoCoreError, Boto3Error) as exc:  # no credentials, no connection, a failed transfer
            raise StoreError(f"S3 request for {what} in {self.root_uri} failed: {exc}") from None

    # -- writing ----------------------------------------------------------
    def _upload(self, local_file: str, key: str) -> None:
        self._call(f"upload of {key}", _client().upload_file, local_file, self.bucket, key,
                   Config=_transfer_config())

    def log_artifact(self, local_file: str, artifact_path=None) -> None:
        if not os.path.isfile(local_file):
            raise InvalidInputError(f"Cannot log artifact {local_file!r}: it is not a file")
        relative = safe_artifact_path(artifact_path)
        self._upload(local_file, self._key(posixpath.join(relative, os.path.basename(local_file))))

    def log_artifacts(self, local_dir: str, artifact_path=None) -> None:
        if not os.path.isdir(local_dir):
            raise InvalidInputError(f"Cannot log artifacts from {local_dir!r}: it is not a directory")
        relative = safe_artifact_path(artifact_path)
        uploads = []
        for root, _dirs, files in os.walk(local_dir):
            inner = os.path.relpath(root, local_dir).replace(os.sep, "/")
            for name in files:
                path = posixpath.normpath(posixpath.join(relative, inner, name))
                uploads.append((os.path.join(root, name), self._key(path)))
        self._parallel(lambda item: self._upload(*item), uploads)

    @staticmethod
    def _parallel(task, items) -> None:
        if len(items) <= 1:
            for item in items:
                task(item)
            return
        with ThreadPoolExecutor(min(_PARALLEL_FILES, len(items))) as pool:
            for _ in pool.map(task, items):
                pass

    # -- reading ----------------------------------------------------------
    def _pages(self, prefix: str, delimiter: bool):
        paginator = _client().get_paginator("list_objects_v2")
        arguments = {"Bucket": self.bucket, "Prefix": prefix, **({"Delimiter": "/"} if delimiter else {}),
                     "PaginationConfig": {"PageSize": _PAGE_SIZE}}
        pages = iter(paginator.paginate(**arguments))
        while True:  # page by page: one page of keys in memory at a time
            page = self._call(f"listing of {prefix or '/'}", next, pages, None)
            if page is None:
                return
            yield page

    def _keys_under(self, relative: str) -> list:
        """Every (key, size) below the directory ``relative``, all pages."""
        return [(item["Key"], item["Size"]) for page in self._pages(self._dir_prefix(relative), False)
                for item in page.get("Contents", ())]

    def list_artifacts(self, path=None) -> list:
        relative = safe_artifact_path(path)
        prefix = self._dir_prefix(relative)
        infos = []
        for page in self._pages(prefix, True):
            for common in page.get("CommonPrefixes", ()):
                infos.append(FileInfo(posixpath.join(relative, common["Prefix"][len(prefix):].rstrip("/")), True, None))
            for item in page.get("Contents", ()):
                name = item["Key"][len(prefix):]
                if name:
                    infos.append(FileInfo(posixpath.join(relative, name), False, item["Size"]))
        return sorted(infos, key=lambda info: info.path)

    def _download(self, key: str, target: str) -> None:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        self._call(key, _client().download_file, self.bucket, key, target, Config=_transfer_config())

    def _is_file(self, relative: str) -> bool:
        if not relative and not self.prefix:
            return False
        from botocore.exceptions import ClientError

        try:
            _client().head_object(Bucket=self.bucket, Key=self._key(relative))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StoreError(f"S3 refused reading {relative!r} in {self.root_uri}: {exc}") from None

    def download_artifacts(self, artifact_path: str, dst_path: str) -> str:
        relative = safe_artifact_path(artifact_path)
        target = os.path.join(os.path.abspath(dst_path), relative) if relative else os.path.abspath(dst_path)
        if relative and self._is_file(relative):
            self._download(self._key(relative), target)
            return target
        prefix = self._dir_prefix(relative)
        keys = [key for key, _size in self._keys_under(relative) if len(key) > len(prefix)]
        if not keys:
            raise NotFoundError(f"No artifact {artifact_path!r} under {self.root_uri}")
        self._parallel(lambda key: self._download(key, os.path.join(target, *key[len(prefix):].split("/"))), keys)
        return target

    # -- whole trees ------------------------------------------------------
    def copy_from(self, source_uri: str) -> bool:
        """Copy every object under ``source_uri`` (an s3:// URI on the same endpoint) to this root, inside
        S3 (multipart copies for large objects; nothing passes through this machine). Returns False
        when ``source_uri`` is not on S3; raises NotFoundError when nothing is there."""
        if not source_uri.lower().startswith("s3://"):
            return False
        source = S3ArtifactRepository(source_uri)
        if source._is_file(""):
            objects = [(source._key(""), posixpath.basename(source.prefix))]
        else:
            prefix = source._dir_prefix("")
            objects = [(key, key[len(prefix):]) for key, _size in source._keys_under("")]
        if not objects:
            raise NotFoundError(f"Nothing found at {source_uri!r}")

        def copy(item):
            key, relative = item
            self._call(f"copy of {key}", _client().copy, {"Bucket": source.bucket, "Key": key}, self.bucket,
                       self._key(relative), Config=_transfer_config())

        self._parallel(copy, objects)
        return True

    def delete_artifacts(self, artifact_path=None) -> None:
        """Delete the file ``artifact_path``, or every object under it (the whole root when None)."""
        relative = safe_artifact_path(artifact_path)
        keys = [self._key(relative)] if relative and self._is_file(relative) else \
            [key for key, _size in self._keys_under(relative)]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start:start + 1000]]
            self._call("deletion", _client().delete_objects, Bucket=self.bucket,
                       Delete={"Objects": batch, "Quiet": True})

    def iter_file(self, artifact_path: str, chunk_size: int = 1024 * 1024):
        """The bytes of one file, chunk by chunk as S3 sends them; raises NotFoundError."""
        relative = safe_artifact_path(artifact_path)
        if not relative or not self._is_file(relative):
            raise NotFoundError(f"No artifact file {artifact_path!r} under {self.root_uri}")
        body = self._call(relative, _client().get_object, Bucket=self.bucket, Key=self._key(relative))["Body"]

        def chunks():
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

        return chunks()
