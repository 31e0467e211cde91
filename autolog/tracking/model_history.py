"""The run tag ``mlflow.log-model.history``: the models logged in a run, oldest first, as MLflow keeps it."""

from __future__ import annotations

import json

from .validation import MAX_TAG_VALUE_LENGTH

__all__ = ["HISTORY_TAG", "appended_history"]

HISTORY_TAG = "mlflow.log-model.history"


def appended_history(current, entry: dict):
    """The tag's new text: ``entry`` (an MLmodel dict) appended to ``current`` (the tag's text, or None), the
    oldest entries dropped until it fits a tag value; text that is not a JSON list starts a new history.
    None when ``entry`` alone does not fit."""
    try:
        history = json.loads(current) if current else []
    except ValueError:
        history = []
    if not isinstance(history, list):
        history = []
    history.append(entry)
    text = json.dumps(history)
    while len(text) > MAX_TAG_VALUE_LENGTH and len(history) > 1:
        history.pop(0)
        text = json.dumps(history)
    return text if len(text) <= MAX_TAG_VALUE_LENGTH else None
