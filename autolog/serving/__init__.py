"""Batch scoring and the scoring server (``autolog models predict`` and ``autolog models serve``).

``predict_file`` scores a Parquet, CSV or JSON lines file (or a directory of Parquet
files) in batches; ``create_app`` builds the Starlette app that answers MLflow's scoring
protocol and ``serve`` runs it with uvicorn; ``build_env`` makes a virtualenv from a
model's requirements. This package depends on ``flavors``, never the other way round;
everything is imported on first use.
"""

from __future__ import annotations

from flavors._lazy import lazy_attribute

__all__ = ["predict_file", "ScoringSummary", "create_app", "serve", "build_env"]

_LAZY = {
    "predict_file": "autolog.serving._batch",
    "ScoringSummary": "autolog.serving._batch",
    "create_app": "autolog.serving._server",
    "serve": "autolog.serving._server",
    "build_env": "autolog.serving._env",
}


def __getattr__(name: str):
    return lazy_attribute(globals(), _LAZY, name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
