"""The web UI: server-rendered pages over the tracking store, mounted on the tracking server's app.

``routes()`` returns the Starlette routes; ``autolog.server.create_app`` appends them
after the REST API. Pages read the store at ``request.app.state.store`` through the
TrackingStore interface and artifacts through their repositories. The auth
middleware (when the server has one) sets ``request.state.role``; read-only callers
see no write actions and are refused them.

Every page is addressable by URL (filter, sort, columns, chosen runs live in the
query string) and readable without JavaScript; the charts use the vendored uPlot
and ECharts files under ``static/vendor`` and ask the server for downsampled data.
Needs the ``[server]`` extra (starlette, jinja2, numpy).
"""

from __future__ import annotations

__all__ = ["routes"]


def routes() -> list:
    """The UI's Starlette routes: pages, ``/login``, ``/logout``, ``/static/...`` and the chart data."""
    from starlette.routing import Route

    from . import (artifacts_view, compare, experiments, login, metric_data, registry_pages, run_page,
                   runs_table, static_files)
    from ._render import guarded

    pages = [
        ("/", experiments.experiments_page, ["GET"]),
        ("/experiments/{experiment_id}", runs_table.runs_page, ["GET"]),
        ("/experiments/{experiment_id}/runs/delete", runs_table.delete_runs, ["POST"]),
        ("/experiments/{experiment_id}/runs/restore", runs_table.restore_runs, ["POST"]),
        ("/runs/{run_id}", run_page.run_page, ["GET"]),
        ("/runs/{run_id}/description", run_page.edit_description, ["POST"]),
        ("/runs/{run_id}/artifacts", artifacts_view.artifacts_page, ["GET"]),
        ("/runs/{run_id}/artifact", artifacts_view.artifact_file, ["GET"]),
        ("/compare", compare.compare_page, ["GET"]),
        ("/compare/data", compare.compare_data, ["GET"]),
        ("/models", registry_pages.models_page, ["GET"]),
        ("/models/{name}", registry_pages.model_page, ["GET"]),
        ("/models/{name}/description", registry_pages.edit_model_description, ["POST"]),
        ("/models/{name}/versions/{version}", registry_pages.version_page, ["GET"]),
        ("/models/{name}/versions/{version}/stage", registry_pages.change_stage, ["POST"]),
        ("/models/{name}/versions/{version}/alias", registry_pages.change_alias, ["POST"]),
        ("/models/{name}/versions/{version}/description", registry_pages.edit_version_description, ["POST"]),
    ]
    return [
        *(Route(path, guarded(handler), methods=methods) for path, handler, methods in pages),
        Route("/ui/data/metric", metric_data.metric_data, methods=["GET", "POST"]),
        Route("/login", login.login_page, methods=["GET"]),
        Route("/login", login.login_submit, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/static/{path:path}", static_files.static_file, methods=["GET", "HEAD"]),
    ]
