"""Users, passwords, browser sessions, API tokens and one-time login links."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import ApiToken, LoginLink, User, WebSession

USER_NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
LOGIN_LINK_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class NewWebSession:
    token: str
    xsrf_token: str
    user: UserInfo


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(user: User) -> UserInfo:
    return UserInfo(id=user.id, name=user.name, is_admin=user.is_admin)


if TYPE_CHECKING:
    from argon2 import PasswordHasher


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


class UserService:
    def __init__(self, db: Database, session_days: int = 14) -> None:
        self.db = db
        self.session_ttl = timedelta(days=session_days)

    async def count(self) -> int:
        async with self.db.session() as s:
            return int((await s.execute(select(func.count(User.id)))).scalar_one())

    async def create(self, name: str, password: str | None, *, is_admin: bool = False) -> UserInfo:
        if not USER_NAME_RE.match(name):
            raise InvalidInput(
                "User names are 1-64 characters: lowercase letters, digits, '_', '.', '-',"
                " starting with a letter.",
                code="invalid_user_name",
            )
        if password is not None and len(password) < 8:
            raise InvalidInput("Passwords need at least 8 characters.", code="weak_password")
        password_hash = _hasher().hash(password) if password is not None else None
        async with self.db.session() as s:
            exists = await s.execute(select(User.id).where(User.name == name))
            if exists.first() is not None:
                raise Conflict(f"User {name!r} already exists.", code="user_exists")
            user = User(
                name=name, password_hash=password_hash, is_admin=is_admin, created_at=utcnow()
            )
            s.add(user)
            await s.commit()
            return _info(user)

    async def get_by_name(self, name: str) -> UserInfo:
        async with self.db.session() as s:
            user = (await s.execute(select(User).where(User.name == name))).scalar_one_or_none()
        if user is None:
            raise NotFound(f"No user named {name!r}.", code="no_such_user")
        return _info(user)

    async def first_admin(self) -> tuple[UserInfo, bool] | None:
        """The earliest admin and whether it has a password."""
        async with self.db.session() as s:
            user = (
                await s.execute(select(User).where(User.is_admin).order_by(User.id).limit(1))
            ).scalar_one_or_none()
        return None if user is None else (_info(user), user.password_hash is not None)

    async def verify_password(self, name: str, password: str) -> UserInfo:
        async with self.db.session() as s:
            user = (await s.execute(select(User).where(User.name == name))).scalar_one_or_none()
        hasher = _hasher()
        if user is None or user.password_hash is None:
            # Same work either way, so timing does not reveal which names exist.
            hasher.hash(password)
            raise NotAuthenticated("Wrong user name or password.", code="login_failed")
        from argon2.exceptions import VerifyMismatchError

        try:
            hasher.verify(user.password_hash, password)
        except VerifyMismatchError:
            raise NotAuthenticated("Wrong user name or password.", code="login_failed") from None
        return _info(user)

    async def set_password(self, user_id: int, password: str) -> None:
        if len(password) < 8:
            raise InvalidInput("Passwords need at least 8 characters.", code="weak_password")
        async with self.db.session() as s:
            user = await s.get(User, user_id)
            if user is None:
                raise NotFound("No such user.", code="no_such_user")
            user.password_hash = _hasher().hash(password)
            await s.commit()

    # --- browser sessions -------------------------------------------------------

    async def open_web_session(self, user: UserInfo) -> NewWebSession:
        token = secrets.token_urlsafe(32)
        xsrf = secrets.token_urlsafe(24)
        now = utcnow()
        async with self.db.session() as s:
            s.add(
                WebSession(
                    token_hash=_hash_token(token),
                    user_id=user.id,
                    xsrf_token=xsrf,
                    created_at=now,
                    expires_at=now + self.session_ttl,
                )
            )
            await s.commit()
        return NewWebSession(token=token, xsrf_token=xsrf, user=user)

    async def user_for_web_session(self, token: str) -> tuple[UserInfo, str] | None:
        """The user and the session's XSRF token, or None when unknown or expired."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(User, WebSession)
                    .join(WebSession, WebSession.user_id == User.id)
                    .where(WebSession.token_hash == _hash_token(token))
                )
            ).first()
        if row is None:
            return None
        user, ws = row
        if as_utc(ws.expires_at) < utcnow():
            return None
        return _info(user), ws.xsrf_token

    async def close_web_session(self, token: str) -> None:
        async with self.db.session() as s:
            await s.execute(delete(WebSession).where(WebSession.token_hash == _hash_token(token)))
            await s.commit()

    # --- API tokens -------------------------------------------------------------

    async def create_api_token(self, user: UserInfo, name: str = "") -> str:
        token = "cb_" + secrets.token_urlsafe(32)
        async with self.db.session() as s:
            s.add(
                ApiToken(
                    token_hash=_hash_token(token), user_id=user.id, name=name, created_at=utcnow()
                )
            )
            await s.commit()
        return token

    async def user_for_api_token(self, token: str) -> UserInfo | None:
        async with self.db.session() as s:
            user = (
                await s.execute(
                    select(User)
                    .join(ApiToken, ApiToken.user_id == User.id)
                    .where(ApiToken.token_hash == _hash_token(token))
                )
            ).scalar_one_or_none()
        return None if user is None else _info(user)

    # --- one-time login links ---------------------------------------------------

    async def create_login_link(self, user: UserInfo) -> str:
        token = secrets.token_urlsafe(32)
        async with self.db.session() as s:
            s.add(
                LoginLink(
                    token_hash=_hash_token(token),
                    user_id=user.id,
                    expires_at=utcnow() + LOGIN_LINK_TTL,
                )
            )
            await s.commit()
        return token

    async def redeem_login_link(self, token: str) -> UserInfo | None:
        async with self.db.session() as s:
            link = await s.get(LoginLink, _hash_token(token))
            if link is None:
                return None
            await s.delete(link)
            user = await s.get(User, link.user_id)
            await s.commit()
        if user is None or as_utc(link.expires_at) < utcnow():
            return None
        return _info(user)
