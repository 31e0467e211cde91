"""Feature importance artifacts: one JSON file and one bar chart per importance type.

The chart is a small hand-written SVG rather than a matplotlib figure: importing
matplotlib alone costs 150-300 ms per process and drawing a PNG tens more, which
would dominate a short training; the SVG costs well under a millisecond, needs no
dependency, and opens in any browser or artifact viewer.
"""

from __future__ import annotations

import json
from html import escape

__all__ = ["importance_texts", "importance_svg"]

_MAX_BARS = 30
_BAR_HEIGHT = 18
_LABEL_WIDTH = 180
_CHART_WIDTH = 420


def importance_texts(importances: dict) -> dict:
    """{file name: text} of ``feature_importance_<type>.json`` and ``.svg`` for each {type: {feature: value}}.
    A value may be a list (one weight per class of a multi-class linear booster): the JSON keeps it,
    the chart shows the sum of absolute weights."""
    texts = {}
    for importance_type, scores in importances.items():
        clean = {str(name): _number_or_list(value) for name, value in scores.items()}
        base = f"feature_importance_{importance_type}"
        per_class = any(isinstance(value, list) for value in clean.values())
        texts[base + ".json"] = json.dumps(clean, indent=2) if per_class else _flat_json(clean)
        chart = {name: sum(map(abs, value)) if isinstance(value, list) else value for name, value in clean.items()}
        title = f"Feature importance ({importance_type}{', |weights| summed over classes' if per_class else ''})"
        texts[base + ".svg"] = importance_svg(chart, title)
    return texts


def _flat_json(scores: dict) -> str:
    """``json.dumps(scores, indent=2)`` for a dict of numbers, in one pass of the C encoder (``indent`` alone
    selects the pure-Python one, many times slower)."""
    if not scores:
        return "{}"
    return "{\n  " + json.dumps(scores, separators=(",\n  ", ": "))[1:-1] + "\n}"


def _number_or_list(value):
    """A score as a float, or a list of floats (a multi-class linear model's weights per class)."""
    if isinstance(value, (list, tuple)):
        return [float(item) for item in value]
    return float(value)


def importance_svg(scores: dict, title: str) -> str:
    """A horizontal bar chart of the ``_MAX_BARS`` largest scores, largest on top, as SVG text."""
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:_MAX_BARS]
    peak = max((value for _, value in top), default=0.0) or 1.0
    height = 40 + _BAR_HEIGHT * max(len(top), 1)
    width = _LABEL_WIDTH + _CHART_WIDTH + 90
    rows = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="12">',
            f'<text x="{width // 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>']
    for index, (name, value) in enumerate(top):  # one text per bar: its label, its rectangle and its value
        y = 32 + index * _BAR_HEIGHT
        bar = max(value, 0.0) / peak * _CHART_WIDTH
        rows.append(f'<text x="{_LABEL_WIDTH - 6}" y="{y + 12}" text-anchor="end">{escape(name[:30])}</text>\n'
                    f'<rect x="{_LABEL_WIDTH}" y="{y + 2}" width="{bar:.1f}" height="{_BAR_HEIGHT - 4}" '
                    f'fill="#4c72b0"/>\n<text x="{_LABEL_WIDTH + bar + 4:.1f}" y="{y + 12}">{value:.4g}</text>')
    if not top:
        rows.append(f'<text x="{width // 2}" y="{height - 8}" text-anchor="middle">no splits</text>')
    rows.append("</svg>")
    return "\n".join(rows) + "\n"
