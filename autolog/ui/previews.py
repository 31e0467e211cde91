"""Previews of artifact files: what kind of file it is and what to show of it, read with a size cap.

A preview is a dict for the ``artifact_preview.html`` template: ``kind`` is one of
text, json, diff, table, image, mlmodel, binary or too_big, plus the fields that kind needs.
"""

from __future__ import annotations

import csv
import io
import json
import os

import yaml

__all__ = ["preview", "PREVIEW_BYTES", "IMAGE_TYPES"]

PREVIEW_BYTES = 512 * 1024
TABLE_ROWS = 200
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml"}
_TABLE_DELIMITERS = {".csv": ",", ".tsv": "\t"}


def _decode(data: bytes):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _table(text: str, delimiter: str) -> dict:
    rows = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append(row)
        if len(rows) > TABLE_ROWS:
            break
    header, body = (rows[0], rows[1:TABLE_ROWS + 1]) if rows else ([], [])
    return {"kind": "table", "header": header, "rows": body, "more": len(rows) > TABLE_ROWS}


def _signature_columns(text):
    """The column specs of an MLmodel signature's inputs/outputs (a JSON string), or the raw text."""
    try:
        columns = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text
    return columns if isinstance(columns, list) else text


def _mlmodel(text: str, requirements) -> dict:
    try:
        descriptor = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        return {"kind": "text", "text": text, "note": f"The MLmodel file is not valid YAML: {exc}"}
    signature = descriptor.get("signature") or {}
    return {
        "kind": "mlmodel", "text": text, "flavors": descriptor.get("flavors") or {},
        "inputs": _signature_columns(signature.get("inputs")), "outputs": _signature_columns(signature.get("outputs")),
        "params": _signature_columns(signature.get("params")), "requirements": requirements,
        "run_id": descriptor.get("run_id"), "created": descriptor.get("utc_time_created"),
    }


def preview(path: str, data: bytes, size: int, sibling=None) -> dict:
    """What to show for the artifact ``path`` whose first bytes are ``data`` (``size`` bytes in all).

    ``sibling(name)`` returns the bytes of a file in the same directory or None
    (the MLmodel preview shows requirements.txt beside it).
    """
    name = os.path.basename(path)
    extension = os.path.splitext(name)[1].lower()
    if extension in IMAGE_TYPES:
        return {"kind": "image"}
    truncated = size > len(data)
    text = _decode(data)
    if text is None and truncated:
        text = _decode(data[:-4]) if _decode(data[:-4]) is not None else None
    if text is None:
        return {"kind": "binary"}
    if name == "MLmodel" and not truncated:
        requirements = sibling("requirements.txt") if sibling else None
        return _mlmodel(text, _decode(requirements) if requirements else None)
    if extension in _TABLE_DELIMITERS:
        return {**_table(text, _TABLE_DELIMITERS[extension]), "truncated": truncated}
    if extension == ".json" and not truncated:
        try:
            return {"kind": "json", "text": json.dumps(json.loads(text), indent=2, ensure_ascii=False)}
        except ValueError as exc:
            return {"kind": "text", "text": text, "note": f"Not valid JSON: {exc}"}
    if extension in (".diff", ".patch"):
        return {"kind": "diff", "lines": text.splitlines(), "truncated": truncated}
    return {"kind": "text", "text": text, "truncated": truncated}
