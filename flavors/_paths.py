"""Model URIs to local directories, and paths inside a model directory that cannot escape it."""

from __future__ import annotations

import os

from ._errors import invalid_input, not_found

__all__ = ["resolve_model_dir", "safe_join", "check_links"]


def resolve_model_dir(model_uri) -> str:
    """The local directory holding the model at ``model_uri``.

    A local path or ``file://`` URI is used in place without importing the tracking layer;
    ``runs:/``, ``models:/`` and remote URIs go through ``autolog.tracking.uris.download_artifacts``.
    Raises NotFoundError when nothing is there and InvalidInputError for a malformed URI.
    """
    uri = os.fspath(model_uri)
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        uri = unquote(urlparse(uri).path)
    elif "://" in uri or uri.startswith(("runs:", "models:")):
        from autolog.tracking.uris import download_artifacts

        return check_links(download_artifacts(uri))
    if not os.path.exists(uri):
        raise not_found(f"No model at {uri}: no such file or directory")
    return check_links(uri)


def check_links(model_dir: str) -> str:
    """Return ``model_dir``; raise InvalidInputError when a symbolic link in it points outside it."""
    from autolog._containment import refuse_escaping_links

    refuse_escaping_links(model_dir)
    return model_dir


def safe_join(model_dir: str, relative) -> str:
    """``model_dir/relative``; raises InvalidInputError when ``relative`` is not a relative path inside it."""
    if not isinstance(relative, str) or not relative or os.path.isabs(relative) \
            or ".." in relative.replace("\\", "/").split("/"):
        raise invalid_input(f"Invalid file reference {relative!r} in the MLmodel of {model_dir}: "
                            "expected a relative path inside the model directory")
    joined = os.path.join(model_dir, relative)
    if os.path.islink(joined) or os.path.islink(os.path.dirname(joined)):
        from autolog._containment import is_inside

        if not is_inside(joined, model_dir):
            raise invalid_input(f"Invalid file reference {relative!r} in the MLmodel of {model_dir}: "
                                "it is a symbolic link to a file outside the model directory")
    return joined
