"""Users, passwords, browser sessions, API tokens and one-time login links."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import delete, func, select

from cloudbook.services.audit import AuditLog, Who
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from cloudbook.services.identity import UserInfo
from cloudbook.services.login_throttle import LoginThrottle
from cloudbook.store.database import Database
from cloudbook.store.models import ApiToken, LoginLink, User, WebSession

USER_NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
LOGIN_LINK_TTL = timedelta(hours=24)
ACCOUNT_DISABLED = "This account is disabled. Ask an administrator to enable it."
T = TypeVar("T")


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: datetime


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


# argon2 costs ~64 MiB and tens of ms of CPU per call: it runs in this small pool, never
# on the event loop, so a burst of logins can neither stall other requests nor take every
# core (nor exhaust the default thread pool that file and store work share).
_ARGON2_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


async def _in_argon2_pool(job: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_ARGON2_POOL, job)


async def _hash_password(password: str) -> str:
    return await _in_argon2_pool(lambda: _hasher().hash(password))


async def _password_matches(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        from argon2.exceptions import InvalidHashError, VerifyMismatchError

        hasher = _hasher()
        if password_hash is None:
            # Same work either way, so timing does not reveal which names exist.
            hasher.hash(password)
            return False
        try:
            return bool(hasher.verify(password_hash, password))
        except (VerifyMismatchError, InvalidHashError):
            return False

    return await _in_argon2_pool(check)


class UserService:
    def __init__(
        self,
        db: Database,
        session_days: int = 14,
        throttle: LoginThrottle | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.db = db
        self.audit = audit or AuditLog(db)
        self.session_ttl = timedelta(days=session_days)
        self.throttle = throttle or LoginThrottle()

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
        password_hash = await _hash_password(password) if password is not None else None
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
        stored = user.password_hash if user is not None else None
        if not await _password_matches(stored, password) or user is None:
            raise NotAuthenticated("Wrong user name or password.", code="login_failed")
        if user.disabled:
            raise Forbidden(ACCOUNT_DISABLED, code="account_disabled")
        return _info(user)

    async def login(self, name: str, password: str, address: str) -> UserInfo:
        """``verify_password`` behind the failed-login limits (429 past them). Sign-ins
        and failed ones are audited; refusals by the limits are not (each would be a
        write an attacker gets for free)."""
        stamp = self.throttle.begin(name, address)
        try:
            user = await self.verify_password(name, password)
        except (NotAuthenticated, Forbidden) as exc:
            await self._failed("password", await self._known(name), exc.code, address)
            raise
        self.throttle.succeeded(name, address, stamp)
        await self.audit.record(
            "signin.password", actor=user, subject=user, detail={"address": address}
        )
        return user

    async def _known(self, name: str) -> Who | None:
        """The account a failed sign-in named; None for an unknown name, which is not
        written down (people type passwords into the name field)."""
        async with self.db.session() as s:
            user_id = (await s.execute(select(User.id).where(User.name == name))).scalar()
        return None if user_id is None else Who(user_id, name)

    async def _failed(self, method: str, who: Who | None, reason: str, address: str) -> None:
        await self.audit.record(
            "signin.failed",
            subject=who,
            detail={"method": method, "reason": reason, "address": address},
        )

    async def set_password(
        self,
        user_id: int,
        password: str,
        *,
        keep_session: str | None = None,
        revoke_tokens: bool = False,
    ) -> None:
        """Set a password and end every browser session of the user except
        ``keep_session`` (the cookie of the browser that changed it); ``revoke_tokens``
        also deletes all their API tokens."""
        if len(password) < 8:
            raise InvalidInput("Passwords need at least 8 characters.", code="weak_password")
        password_hash = await _hash_password(password)
        async with self.db.session() as s:
            user = await s.get(User, user_id)
            if user is None:
                raise NotFound("No such user.", code="no_such_user")
            user.password_hash = password_hash
            ended = delete(WebSession).where(WebSession.user_id == user_id)
            if keep_session is not None:
                ended = ended.where(WebSession.token_hash != _hash_token(keep_session))
            await s.execute(ended)
            if revoke_tokens:
                await s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
            await s.commit()

    async def change_password(
        self,
        user: UserInfo,
        current: str,
        new: str,
        *,
        keep_session: str | None,
        revoke_tokens: bool,
        address: str = "",
    ) -> None:
        """A user changing their own password: the current one must be right (wrong
        guesses count against the same limits as failed logins)."""
        stamp = self.throttle.begin(user.name, address)
        async with self.db.session() as s:
            row = await s.get(User, user.id)
        if row is None or not await _password_matches(row.password_hash, current):
            raise Forbidden("The current password is wrong.", code="wrong_password")
        self.throttle.succeeded(user.name, address, stamp)
        await self.set_password(
            user.id, new, keep_session=keep_session, revoke_tokens=revoke_tokens
        )

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
        if user.disabled or as_utc(ws.expires_at) < utcnow():
            return None
        return _info(user), ws.xsrf_token

    async def close_web_session(self, token: str) -> None:
        """Sign out: the session ends (audited when it was a live one)."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(User.id, User.name)
                    .join(WebSession, WebSession.user_id == User.id)
                    .where(WebSession.token_hash == _hash_token(token))
                )
            ).first()
            await s.execute(delete(WebSession).where(WebSession.token_hash == _hash_token(token)))
            await s.commit()
        if row is not None:
            who = Who(row[0], row[1])
            await self.audit.record("signout", actor=who, subject=who)

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

    async def list_api_tokens(self, user: UserInfo) -> list[TokenInfo]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(ApiToken.id, ApiToken.name, ApiToken.created_at)
                .where(ApiToken.user_id == user.id)
                .order_by(ApiToken.id)
            )
            return [TokenInfo(i, n, as_utc(c)) for i, n, c in rows.all()]

    async def revoke_api_tokens(
        self, user: UserInfo, *, token_id: int | None = None, name: str | None = None
    ) -> int:
        """Delete the user's tokens: one by id, those with a label, or (neither) all of
        them. Returns how many were revoked; an unknown id is 404 (also another user's)."""
        query = delete(ApiToken).where(ApiToken.user_id == user.id)
        if token_id is not None:
            query = query.where(ApiToken.id == token_id)
        if name is not None:
            query = query.where(ApiToken.name == name)
        async with self.db.session() as s:
            result = await s.execute(query)
            await s.commit()
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if token_id is not None and count == 0:
            raise NotFound("No such token.", code="no_such_token")
        return count

    async def user_for_api_token(self, token: str) -> UserInfo | None:
        async with self.db.session() as s:
            user = (
                await s.execute(
                    select(User)
                    .join(ApiToken, ApiToken.user_id == User.id)
                    .where(ApiToken.token_hash == _hash_token(token))
                )
            ).scalar_one_or_none()
        return None if user is None or user.disabled else _info(user)

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

    async def redeem_login_link(self, token: str, address: str = "") -> UserInfo | None:
        """The link's user, once (audited, as is a refused link)."""
        user = await self._redeem(token)
        if isinstance(user, UserInfo):
            await self.audit.record(
                "signin.link", actor=user, subject=user, detail={"address": address}
            )
            return user
        await self._failed("link", user, "link_invalid", address)
        return None

    async def _redeem(self, token: str) -> UserInfo | Who | None:
        """The link's user; of parallel uses only the one whose DELETE removed the row
        gets a user (the row count decides, in SQLite and PostgreSQL alike). A spent,
        expired or disabled account's link: the account it named (as ``Who``) or None."""
        key = _hash_token(token)
        async with self.db.session() as s:
            link = await s.get(LoginLink, key)
            if link is None:
                return None
            user_id, expires_at = link.user_id, as_utc(link.expires_at)
            claimed = await s.execute(delete(LoginLink).where(LoginLink.token_hash == key))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                await s.rollback()
                return None
            user = await s.get(User, user_id)
            await s.commit()
        if user is None:
            return None
        if user.disabled or expires_at < utcnow():
            return Who(user.id, user.name)
        return _info(user)
