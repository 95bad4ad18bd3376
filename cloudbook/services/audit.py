"""The audit log: sharing changes, sign-ins and sign-outs, account changes by
administrators, runtime starts and stops (docs/audit.md).

Services write events here after the change itself is committed; a failure to write one
is logged and never undoes or blocks the change. Nothing secret is ever written: callers
pass names, roles, ids and reasons, and ``record`` refuses detail keys that look like
secrets so a slip fails loudly in tests instead of landing in the store.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import InvalidInput
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import AuditEvent, User

log = logging.getLogger("cloudbook.audit")

KINDS = (
    "share.added",
    "share.changed",
    "share.removed",
    "share.general",
    "ownership.transferred",
    "signin.password",
    "signin.oidc",
    "signin.link",
    "signin.failed",
    "signout",
    "account.added",
    "account.disabled",
    "account.enabled",
    "account.admin_granted",
    "account.admin_revoked",
    "account.quota",
    "account.password_reset",
    "runtime.started",
    "runtime.stopped",
)
# Stop reasons of runtime.stopped.
STOP_REASONS = ("user", "idle", "dead", "quota", "admin", "disabled", "replaced", "shutdown")
_SECRET_WORDS = ("password", "secret", "token", "credential", "cookie")
Value = str | int | float | bool | None
Detail = dict[str, Value]
PRUNE_EVERY = 3600.0  # seconds between retention sweeps
MAX_PAGE = 200


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    kind: str
    actor: str | None
    subject: str | None
    target: str | None
    detail: Detail


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    # Pass as ``before`` for the next (older) page; None: this is the last.
    next_before: int | None


@dataclass(frozen=True)
class Who:
    """An account as events name it (a light stand-in when no UserInfo is at hand)."""

    id: int | None
    name: str | None


Party = UserInfo | Who | None


def _check_detail(detail: Mapping[str, Value]) -> str:
    for key, value in detail.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"audit detail {key!r} looks like a secret")
        if not isinstance(value, str | int | float | bool | type(None)):
            raise ValueError(f"audit detail {key!r} must be a plain value")
    return json.dumps(detail, sort_keys=True)


async def _name(s: AsyncSession, who: Party) -> str | None:
    if who is None or who.name is not None or who.id is None:
        return who.name if who is not None else None
    user = await s.get(User, who.id)
    return user.name if user is not None else None


class AuditLog:
    def __init__(self, db: Database, retention_days: int = 365) -> None:
        self.db = db
        self.retention_days = retention_days
        self._last_prune = float("-inf")

    async def record(
        self,
        kind: str,
        *,
        actor: Party = None,
        subject: Party = None,
        target: str | None = None,
        detail: Mapping[str, Value] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown audit event kind {kind!r}")
        text = _check_detail(detail or {})
        try:
            async with self.db.session() as s:
                actor_name, subject_name = await _name(s, actor), await _name(s, subject)
                s.add(
                    AuditEvent(
                        at=utcnow(),
                        kind=kind,
                        actor_id=actor.id if actor else None,
                        actor_name=actor_name,
                        subject_id=subject.id if subject else None,
                        subject_name=subject_name,
                        target=target[:1100] if target else None,
                        detail=text,
                    )
                )
                await s.commit()
            log.info(
                "audit %s actor=%s subject=%s target=%s %s",
                kind,
                actor_name,
                subject_name,
                target,
                text,
            )
            if time.monotonic() - self._last_prune >= PRUNE_EVERY:
                await self.prune()
        except Exception:
            # The change it records has happened: never turn it into an error page.
            log.exception("could not write an audit event (%s)", kind)

    async def prune(self, now: datetime | None = None) -> int:
        """Delete events past the retention; returns how many went."""
        self._last_prune = time.monotonic()
        if self.retention_days <= 0:
            return 0
        cutoff = (now or utcnow()) - timedelta(days=self.retention_days)
        async with self.db.session() as s:
            result = await s.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
            await s.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def events(
        self,
        *,
        user: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 50,
    ) -> EventPage:
        """Newest first. ``user`` matches who acted or whom it was about; ``kind`` is a
        kind or a family (``share`` matches every ``share.*``); ``before`` an event id
        from ``next_before``."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be 1 to {MAX_PAGE}.", code="invalid_limit")
        if (
            kind is not None
            and kind not in KINDS
            and not any(k.startswith(kind + ".") for k in KINDS)
        ):
            raise InvalidInput(f"No audit event kind {kind!r}.", code="invalid_kind")
        stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
        if user is not None:
            stmt = stmt.where(or_(AuditEvent.actor_name == user, AuditEvent.subject_name == user))
        if kind is not None:
            stmt = stmt.where(
                or_(
                    AuditEvent.kind == kind, AuditEvent.kind.startswith(kind + ".", autoescape=True)
                )
            )
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= since)
        if until is not None:
            stmt = stmt.where(AuditEvent.at < until)
        if before is not None:
            stmt = stmt.where(AuditEvent.id < before)
        async with self.db.session() as s:
            rows = list((await s.execute(stmt)).scalars())
        more = len(rows) > limit
        rows = rows[:limit]
        return EventPage(
            events=[
                Event(
                    id=r.id,
                    at=as_utc(r.at),
                    kind=r.kind,
                    actor=r.actor_name,
                    subject=r.subject_name,
                    target=r.target,
                    detail=json.loads(r.detail),
                )
                for r in rows
            ],
            next_before=rows[-1].id if more and rows else None,
        )
