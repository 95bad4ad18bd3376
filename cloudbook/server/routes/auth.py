"""Log in and out; who am I; password changes; API tokens; one-time login links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from cloudbook.server.deps import (
    SESSION_COOKIE,
    XSRF_COOKIE,
    CurrentUser,
    ServicesDep,
    app_state,
)
from cloudbook.services.identity import UserInfo

if TYPE_CHECKING:
    from cloudbook.services.users import NewWebSession

router = APIRouter()


class Me(BaseModel):
    id: int
    name: str
    is_admin: bool


class LoginBody(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)
    # Also delete every API token of the account (scripts must get new ones).
    revoke_tokens: bool = False


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime


class TokenList(BaseModel):
    tokens: list[TokenOut]


def _me(user: UserInfo) -> Me:
    return Me(id=user.id, name=user.name, is_admin=user.is_admin)


def set_session_cookies(request: Request, response: Response, session: NewWebSession) -> None:
    settings = app_state(request).settings
    secure = request.url.scheme == "https"
    max_age = settings.session_days * 86400
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        XSRF_COOKIE,
        session.xsrf_token,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )


@router.get("/api/me", response_model=Me)
async def me(user: CurrentUser) -> Me:
    return _me(user)


@router.post("/api/auth/login", response_model=Me)
async def login(body: LoginBody, request: Request, response: Response, services: ServicesDep) -> Me:
    address = request.client.host if request.client else ""
    user = await services.users.login(body.name, body.password, address)
    set_session_cookies(request, response, await services.users.open_web_session(user))
    return _me(user)


@router.post("/api/auth/logout", status_code=204)
async def logout(request: Request, response: Response, services: ServicesDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await services.users.close_web_session(cookie)
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    out.delete_cookie(XSRF_COOKIE, path="/")
    return out


@router.post("/api/me/password", status_code=204)
async def change_password(
    body: PasswordChange, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """Change one's own password. Every other browser session of the account ends (this
    one stays logged in); ``revoke_tokens`` also deletes all its API tokens."""
    await services.users.change_password(
        user,
        body.current_password,
        body.new_password,
        keep_session=request.cookies.get(SESSION_COOKIE),
        revoke_tokens=body.revoke_tokens,
        address=request.client.host if request.client else "",
    )
    return Response(status_code=204)


@router.get("/api/tokens", response_model=TokenList)
async def list_tokens(user: CurrentUser, services: ServicesDep) -> TokenList:
    """The caller's API tokens (labels and dates; the secrets are never stored)."""
    tokens = await services.users.list_api_tokens(user)
    return TokenList(
        tokens=[TokenOut(id=t.id, name=t.name, created_at=t.created_at) for t in tokens]
    )


@router.delete("/api/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: int, user: CurrentUser, services: ServicesDep) -> Response:
    """Revoke one of the caller's API tokens at once (404 for unknown or others' ids)."""
    await services.users.revoke_api_tokens(user, token_id=token_id)
    return Response(status_code=204)


@router.get("/login", include_in_schema=False)
async def login_link(token: str, request: Request, services: ServicesDep) -> Response:
    address = request.client.host if request.client else ""
    user = await services.users.redeem_login_link(token, address)
    if user is None:
        return RedirectResponse("/?login=expired", status_code=303)
    response = RedirectResponse("/", status_code=303)
    set_session_cookies(request, response, await services.users.open_web_session(user))
    return response
