"""The login page: takes a token and keeps it in the ``autolog_token`` cookie the auth middleware reads."""

from __future__ import annotations

from starlette.responses import RedirectResponse

from ._render import form_fields, render, safe_local_path

__all__ = ["login_page", "login_submit", "logout", "TOKEN_COOKIE"]

TOKEN_COOKIE = "autolog_token"


def login_page(request):
    """GET /login: the token form; says so when the browser already sent a token that was refused."""
    next_path = safe_local_path(request.query_params.get("next"), "/")
    rejected = TOKEN_COOKIE in request.cookies
    return render(request, "login.html", {"next": next_path, "rejected": rejected})


async def login_submit(request):
    """POST /login: store the token in an HttpOnly, SameSite=Strict cookie and go to ``next``."""
    form = await form_fields(request)
    token = str(form.get("token", "")).strip()
    next_path = safe_local_path(form.get("next"), "/")
    if not token:
        return render(request, "login.html", {"next": next_path, "rejected": False, "missing": True},
                      status_code=400)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


def logout(request):
    """POST /logout: forget the token cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response
