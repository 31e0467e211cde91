"""Per-experiment permissions on the web pages: the same rules as the REST API (see autolog.server.permissions).

A page that names an experiment (``/experiments/{id}``, ``?experiment=``) or runs (``/runs/{id}``,
``?run=``) is refused with 403 unless the caller may read them (GET) or edit them (POST).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

from autolog.tracking.exceptions import InvalidInputError, NotFoundError

__all__ = ["check_page", "check_runs", "readable_experiment_ids"]


class _Caller:
    def __init__(self, request):
        state = request.scope.get("state", {})
        self.user, self.role = state.get("user"), state.get("role", "admin")


def _context(request):
    return getattr(request.app.state, "context", None)


def _require(request, experiment_ids, run_ids, needed: str) -> None:
    from autolog.server._api import ApiError
    from autolog.server.permissions import require_experiment, require_run

    caller, context = _Caller(request), _context(request)
    if caller.role == "admin" or context is None:
        return
    try:
        for experiment_id in experiment_ids:
            require_experiment(context, caller, str(experiment_id), needed)
        for run_id in run_ids:
            require_run(context, caller, run_id, needed)
    except ApiError as exc:
        raise HTTPException(403, str(exc)) from None
    except (NotFoundError, InvalidInputError):
        return  # the page itself answers 404 / 400


def check_page(request, query=None, needed=None) -> None:
    """Raise HTTPException(403) unless the caller may see (GET) or change (other methods) what the page names."""
    query = request.query_params if query is None else query
    needed = needed or ("read" if request.method in ("GET", "HEAD") else "edit")
    experiment_ids = [request.path_params["experiment_id"]] if "experiment_id" in request.path_params else []
    experiment_ids += [value for value in query.getlist("experiment") if value]
    run_ids = [request.path_params["run_id"]] if "run_id" in request.path_params else []
    run_ids += [value for value in query.getlist("run") if value]
    _require(request, experiment_ids, run_ids, needed)


def check_runs(request, run_ids, needed: str) -> None:
    """Raise HTTPException(403) unless the caller has ``needed`` on every run's experiment."""
    _require(request, [], run_ids, needed)


def readable_experiment_ids(request, experiment_ids) -> set:
    """The subset of ``experiment_ids`` the caller may read."""
    from autolog.server.permissions import readable_ids

    caller, context = _Caller(request), _context(request)
    if caller.role == "admin" or context is None:
        return {str(experiment_id) for experiment_id in experiment_ids}
    return readable_ids(context, caller, experiment_ids)
