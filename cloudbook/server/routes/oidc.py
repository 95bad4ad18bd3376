"""Sign-in with OpenID Connect: which providers the login page offers, the redirect to
the provider and the way back (docs/team-auth.md)."""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from cloudbook.server.deps import ServicesDep, app_state
from cloudbook.server.routes.auth import set_session_cookies
from cloudbook.services.errors import NotFound, ServiceError
from cloudbook.services.oidc import PENDING_TTL, OidcSignIn

log = logging.getLogger("cloudbook.server")
router = APIRouter(tags=["auth"])
PENDING_COOKIE = "cloudbook_oidc"
CALLBACK_PATH = "/auth/oidc/callback"


class OidcProviderOut(BaseModel):
    display_name: str
    login_url: str


class ProvidersOut(BaseModel):
    """Sign-in methods besides local passwords; ``oidc`` is null when none is set up."""

    oidc: OidcProviderOut | None


@router.get("/api/auth/providers", response_model=ProvidersOut)
async def providers(request: Request) -> ProvidersOut:
    """Public: the login page asks this before anyone is signed in."""
    settings = app_state(request).settings
    if not settings.oidc_enabled:
        return ProvidersOut(oidc=None)
    return ProvidersOut(
        oidc=OidcProviderOut(display_name=settings.oidc_display_name, login_url="/auth/oidc/login")
    )


def _redirect_uri(request: Request) -> str:
    settings = app_state(request).settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + CALLBACK_PATH
    return str(request.base_url).rstrip("/") + CALLBACK_PATH


def _oidc(services: ServicesDep) -> OidcSignIn:
    if services.oidc is None:
        raise NotFound("OpenID Connect sign-in is not set up here.", code="oidc_not_configured")
    return services.oidc


def error_page(message: str, status: int) -> HTMLResponse:
    """What a person sees when sign-in fails: the reason and a way back."""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sign-in failed - cloudbook</title><style>"
        "body{font:14px system-ui,sans-serif;color:#202124;background:#fff}"
        "main{max-width:360px;margin:15vh auto;padding:24px 28px;border:1px solid #dadce0;"
        "border-radius:8px}h1{font-size:20px;font-weight:500;margin:0 0 12px;color:#c5221f}"
        "a{color:#1a73e8}</style></head><body>"
        '<main role="alert" id="signin-error">'
        "<h1>Sign-in failed</h1>"
        f"<p>{html.escape(message)}</p>"
        '<p><a href="/">Back to the sign-in page</a></p>'
        "</main></body></html>"
    )
    response = HTMLResponse(body, status_code=status)
    response.delete_cookie(PENDING_COOKIE, path="/auth/oidc")
    return response


@router.get("/auth/oidc/login", include_in_schema=False)
async def oidc_login(request: Request, services: ServicesDep, next: str | None = None) -> Response:
    """Off to the provider; the flow's state travels in a sealed, short-lived cookie."""
    try:
        url, sealed = await _oidc(services).begin(next, _redirect_uri(request))
    except ServiceError as exc:
        return error_page(exc.message, exc.status)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        sealed,
        max_age=PENDING_TTL,
        httponly=True,
        # lax: the provider sends the browser back with a top-level GET.
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/auth/oidc",
    )
    return response


@router.get(CALLBACK_PATH, include_in_schema=False)
async def oidc_callback(
    request: Request,
    services: ServicesDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    from cloudbook.services.oidc_accounts import sign_in

    try:
        user, next_path = await sign_in(
            _oidc(services),
            services.audit,
            pending=request.cookies.get(PENDING_COOKIE),
            state=state,
            code=code,
            error=error,
            redirect_uri=_redirect_uri(request),
            address=request.client.host if request.client else "",
        )
    except ServiceError as exc:
        log.info("OpenID Connect sign-in refused: %s", exc.code)
        return error_page(exc.message, exc.status)
    response = RedirectResponse(next_path, status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/auth/oidc")
    set_session_cookies(request, response, await services.users.open_web_session(user))
    return response
