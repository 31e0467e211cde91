"""Rendering pages: the Jinja2 environment, the page helpers every handler shares, and write checks.

Templates live in ``autolog/ui/templates``; every page extends ``base.html``.
Handlers are plain functions of a request (Starlette runs them in its thread pool,
so the blocking store calls never hold up the event loop).
"""

from __future__ import annotations

import datetime
import functools
import json
import os
from urllib.parse import parse_qsl, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import ImmutableMultiDict
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse

__all__ = ["guarded", "render", "form_fields", "script_json", "store_of", "role_of", "can_write", "require_write", "redirect_after_post",
           "format_time", "format_duration", "query_url"]

_TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
WRITE_ROLES = ("write", "admin")


def format_time(epoch_ms) -> str:
    """'2026-11-27 09:10:11' (UTC) for epoch milliseconds; '' for None."""
    if epoch_ms is None:
        return ""
    moment = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_duration(start_ms, end_ms) -> str:
    """A run's duration as '1.2s', '3m 04s' or '2h 05m'; '' while either end is missing."""
    if start_ms is None or end_ms is None:
        return ""
    seconds = max(0, end_ms - start_ms) / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_value(value) -> str:
    """A metric or param value for a table cell: numbers to 6 significant digits, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def script_json(data) -> Markup:
    """``data`` as JSON safe to place inside a <script> element (no '<', '>' or '&' left as such)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


async def form_fields(request) -> ImmutableMultiDict:
    """The fields of a url-encoded form post (repeated names kept, blank values too)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return ImmutableMultiDict(parse_qsl(body, keep_blank_values=True))


def query_url(path: str, params: dict, extra_pairs=(), **changes) -> str:
    """``path`` with ``params`` updated by ``changes`` (then ``extra_pairs``, repeated keys) as its query
    string; a None or '' value drops a key."""
    merged = {**params, **changes}
    pairs = [(key, value) for key, value in merged.items() if value not in (None, "")] + list(extra_pairs)
    return f"{path}?{urlencode(pairs)}" if pairs else path


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(time=format_time, value=format_value, script_json=script_json)
    env.globals.update(duration=format_duration, query_url=query_url)
    return env


def store_of(request):
    """The tracking store the app serves (``app.state.store``)."""
    return request.app.state.store


def role_of(request) -> str:
    """The caller's role as the auth middleware set it: 'admin' where no middleware runs (a local UI),
    'none' for a caller the middleware let through without a token (the login page)."""
    return getattr(request.state, "role", "admin") or "none"


def can_write(request) -> bool:
    """Whether the caller may change things (promote, alias, delete, edit)."""
    return role_of(request) in WRITE_ROLES


def require_write(request) -> None:
    """Refuse a change from a read-only caller or from a page of another site.

    Raises HTTPException 403 in both cases.
    """
    if not can_write(request):
        raise HTTPException(403, "This token may only read; changes need a token with the write role")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, f"Refused a change sent from another site ({origin})")


def redirect_after_post(request, fallback: str) -> RedirectResponse:
    """303 to the form's ``back`` field when it is a local path, else to ``fallback``."""
    return RedirectResponse(safe_local_path(request.query_params.get("back"), fallback), status_code=303)


def safe_local_path(path, fallback: str = "/") -> str:
    """``path`` when it is a path on this site ('/...', not '//host'), else ``fallback``."""
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return fallback


def render(request, template: str, context: dict, status_code: int = 200, headers=None) -> HTMLResponse:
    """Render ``template`` with ``context`` plus the request, the role and whether it may write."""
    page = _environment().get_template(template).render(
        request=request, role=role_of(request), can_write=can_write(request), **context)
    return HTMLResponse(page, status_code=status_code, headers=headers)


def _error_page(request, exc):
    from autolog.tracking.exceptions import InvalidInputError, NotFoundError

    status = 404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, InvalidInputError) else None
    if status is None:
        return None
    return render(request, "error.html", {"message": str(exc), "status": status}, status_code=status)


def guarded(handler):
    """Wrap a page handler (sync or async) so a missing thing answers a 404 page and bad input a 400 page,
    and a caller without permission on the experiment or runs it names a 403."""
    import inspect

    from starlette.concurrency import run_in_threadpool

    from .access import check_page

    from autolog.tracking.exceptions import AutologError

    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def guarded_async(request):
            try:
                await run_in_threadpool(check_page, request)
                return await handler(request)
            except AutologError as exc:
                response = _error_page(request, exc)
                if response is None:
                    raise
                return response
        return guarded_async

    @functools.wraps(handler)
    def guarded_sync(request):
        try:
            check_page(request)
            return handler(request)
        except AutologError as exc:
            response = _error_page(request, exc)
            if response is None:
                raise
            return response
    return guarded_sync
