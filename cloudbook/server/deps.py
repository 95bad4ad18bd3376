"""Request dependencies: the loaded services and who is asking."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from cloudbook.server.state import AppState, Services
from cloudbook.services.errors import Forbidden, NotAuthenticated, Unavailable
from cloudbook.services.identity import UserInfo

SESSION_COOKIE = "cloudbook_session"
XSRF_COOKIE = "cloudbook_xsrf"
XSRF_HEADER = "x-xsrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(conn: HTTPConnection) -> AppState:
    state: AppState = conn.app.state.cloudbook
    return state


async def services_of(conn: HTTPConnection) -> Services:
    state = app_state(conn)
    await state.ready.wait()
    if state.services is None:
        raise Unavailable("The service failed to start; see its console.", code="not_ready")
    return state.services


async def get_services(request: Request) -> Services:
    return await services_of(request)


def _bearer(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


async def authenticate(conn: HTTPConnection, *, unsafe: bool) -> UserInfo:
    """Who is asking: an API token, or a browser session (with XSRF for unsafe methods)."""
    services = await services_of(conn)
    token = _bearer(conn)
    if token is not None:
        user = await services.users.user_for_api_token(token)
        if user is None:
            raise NotAuthenticated("Invalid API token.", code="invalid_token")
        return user
    cookie = conn.cookies.get(SESSION_COOKIE)
    found = await services.users.user_for_web_session(cookie) if cookie else None
    if found is None:
        raise NotAuthenticated("Log in first.")
    user, xsrf = found
    if unsafe:
        sent = conn.headers.get(XSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, xsrf):
            raise Forbidden("Missing or wrong XSRF token.", code="xsrf_failed")
    return user


async def current_user(request: Request) -> UserInfo:
    return await authenticate(request, unsafe=request.method not in SAFE_METHODS)


CurrentUser = Annotated[UserInfo, Depends(current_user)]
ServicesDep = Annotated[Services, Depends(get_services)]
