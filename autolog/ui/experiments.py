"""The experiments list, the UI's home page."""

from __future__ import annotations

from autolog.tracking.entities import ViewType
from autolog.tracking.exceptions import InvalidInputError

from ._render import query_url, render, store_of
from .access import readable_experiment_ids

__all__ = ["experiments_page"]

PAGE_SIZE = 200


def _name_filter(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"name ILIKE '%{escaped}%'" if text else ""


def experiments_page(request):
    """GET /: the active experiments, newest first, optionally those whose name contains ``q``."""
    store = store_of(request)
    q = request.query_params.get("q", "").strip()
    error, experiments, next_url = None, [], None
    try:
        experiments = store.search_experiments(ViewType.ACTIVE_ONLY, PAGE_SIZE, _name_filter(q),
                                               ["creation_time DESC"], request.query_params.get("page"))
        if experiments.token:
            next_url = query_url("/", {"q": q, "page": experiments.token})
        readable = readable_experiment_ids(request, [experiment.experiment_id for experiment in experiments])
        experiments = [experiment for experiment in experiments if str(experiment.experiment_id) in readable]
    except InvalidInputError as exc:
        error = str(exc)
    return render(request, "experiments.html", {"experiments": experiments, "q": q, "error": error,
                                                "next_url": next_url}, status_code=400 if error else 200)
