"""What administrators do to other accounts: list, add, disable, make admin, reset a
password, set quotas; see and stop everyone's runtimes. Callers check the caller is an
administrator (cloudbook.server.routes.admin does, for every route)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from cloudbook.services.audit import AuditLog, Party, Value, Who
from cloudbook.services.clock import as_utc
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.quotas import Quotas, QuotaService
from cloudbook.services.users import UserService
from cloudbook.store.database import Database
from cloudbook.store.models import User, WebSession

if TYPE_CHECKING:
    from cloudbook.runtimes.manager import RuntimeManager
    from cloudbook.services.access import AccessService

UNSET = object()  # a quota field the request did not name: leave it as it is


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    email: str | None
    is_admin: bool
    disabled: bool
    has_password: bool
    signs_in_with_oidc: bool
    created_at: datetime
    storage_bytes: int
    gpu_hours: float
    runtimes: int
    overrides: Quotas  # None fields: the default applies
    effective: Quotas


@dataclass(frozen=True)
class RuntimeRow:
    id: str
    owner: str | None
    notebook_id: str | None
    gpu: str | None
    kind: str


class AdminService:
    def __init__(
        self,
        users: UserService,
        quotas: QuotaService,
        runtimes: RuntimeManager,
        audit: AuditLog | None = None,
        access: AccessService | None = None,
    ) -> None:
        self.access = access
        self.users = users
        self.quotas = quotas
        self.runtimes = runtimes
        self.db = users.db
        self.audit = audit or AuditLog(users.db)

    async def _row(self, user: User) -> AccountRow:
        overrides = Quotas(user.quota_drive_bytes, user.quota_runtimes, user.quota_gpu_hours)
        return AccountRow(
            id=user.id,
            name=user.name,
            email=user.email,
            is_admin=user.is_admin,
            disabled=user.disabled,
            has_password=user.password_hash is not None,
            signs_in_with_oidc=user.oidc_subject is not None,
            created_at=as_utc(user.created_at),
            storage_bytes=await self.quotas.drive_used(user.id),
            gpu_hours=await self.quotas.gpu_hours_used(user.id),
            runtimes=self.runtimes.held_by(user.id),
            overrides=overrides,
            effective=await self.quotas.for_user(user.id),
        )

    async def list_accounts(self) -> list[AccountRow]:
        async with self.db.session() as s:
            users = (await s.execute(select(User).order_by(User.name))).scalars().all()
        return [await self._row(u) for u in users]

    async def account(self, user_id: int) -> AccountRow:
        async with self.db.session() as s:
            user = await s.get(User, user_id)
        if user is None:
            raise NotFound("No such user.", code="no_such_user")
        return await self._row(user)

    async def add(
        self, name: str, password: str | None, is_admin: bool, actor: Party = None
    ) -> AccountRow:
        created = await self.users.create(name, password, is_admin=is_admin)
        await self.audit.record(
            "account.added",
            actor=actor,
            subject=created,
            detail={"is_admin": is_admin, "local_login": password is not None},
        )
        return await self.account(created.id)

    async def update(
        self,
        actor: UserInfo,
        user_id: int,
        *,
        disabled: bool | None = None,
        is_admin: bool | None = None,
        quotas: dict[str, int | float | None] | None = None,
    ) -> AccountRow:
        if user_id == actor.id and (disabled is True or is_admin is False):
            raise Conflict(
                "You cannot disable yourself or take away your own admin rights"
                " (ask another administrator).",
                code="cannot_change_self",
            )
        newly_disabled = await change_account(
            self.db,
            user_id,
            disabled=disabled,
            is_admin=is_admin,
            quotas=quotas,
            actor=actor,
            audit=self.audit,
        )
        if newly_disabled:
            if self.access is not None:
                self.access.user_disabled(user_id)  # watch and live-document sockets
            await self.stop_runtimes_of(user_id, actor)  # kernel sockets with them
        return await self.account(user_id)

    async def reset_password(self, user_id: int, password: str, actor: Party = None) -> None:
        """A new password; every browser session of the account ends."""
        await self.users.set_password(user_id, password)
        async with self.db.session() as s:
            user = await s.get(User, user_id)
        subject = Who(user_id, user.name if user else None)
        await self.audit.record("account.password_reset", actor=actor, subject=subject)

    async def stop_runtimes_of(self, user_id: int, actor: Party = None) -> None:
        for managed in self.runtimes.assigned_runtimes:
            if managed.owner_id == user_id:
                await self.runtimes.stop_assigned(managed.id, reason="disabled", by=actor)

    async def runtime_rows(self) -> list[RuntimeRow]:
        async with self.db.session() as s:
            rows = (await s.execute(select(User.id, User.name))).all()
        names = {user_id: name for user_id, name in rows}
        return [
            RuntimeRow(
                id=m.id,
                owner=names.get(m.owner_id) if m.owner_id is not None else None,
                notebook_id=m.notebook_id,
                gpu=m.gpu.name if m.gpu is not None else None,
                kind="attached" if m.attached else "local",
            )
            for m in self.runtimes.assigned_runtimes
        ]


def _int(value: int | float | None) -> int | None:
    return None if value is None else int(value)


async def change_account(
    db: Database,
    user_id: int,
    *,
    disabled: bool | None = None,
    is_admin: bool | None = None,
    quotas: dict[str, int | float | None] | None = None,
    actor: Party = None,
    audit: AuditLog | None = None,
) -> bool:
    """Store a change to an account (the admin page and the CLI; ``actor`` None: the
    CLI) and audit what changed. Disabling ends its browser sessions at once; its API
    tokens are refused while it stays disabled. Returns whether the account was just
    disabled (its runtimes are then stopped)."""
    for key, value in (quotas or {}).items():
        if key not in ("drive_bytes", "runtimes", "gpu_hours"):
            raise InvalidInput(f"No quota named {key!r}.", code="invalid_quota")
        if value is not None and value < 0:
            raise InvalidInput(f"Quota {key} cannot be negative.", code="invalid_quota")
    async with db.session() as s:
        user = await s.get(User, user_id)
        if user is None:
            raise NotFound("No such user.", code="no_such_user")
        was = _snapshot(user)
        if is_admin is not None:
            user.is_admin = is_admin
        quotas = quotas or {}
        if "drive_bytes" in quotas:
            user.quota_drive_bytes = _int(quotas["drive_bytes"])
        if "runtimes" in quotas:
            user.quota_runtimes = _int(quotas["runtimes"])
        if "gpu_hours" in quotas:
            value = quotas["gpu_hours"]
            user.quota_gpu_hours = None if value is None else float(value)
        newly_disabled = disabled is True and not user.disabled
        if disabled is not None:
            user.disabled = disabled
        if newly_disabled:
            await s.execute(delete(WebSession).where(WebSession.user_id == user_id))
        now = _snapshot(user)
        subject = Who(user.id, user.name)
        await s.commit()
    await _audit_change(audit or AuditLog(db), actor, subject, was, now)
    return newly_disabled


def _snapshot(user: User) -> dict[str, bool | int | float | None]:
    return {
        "disabled": user.disabled,
        "is_admin": user.is_admin,
        "drive_bytes": user.quota_drive_bytes,
        "runtimes": user.quota_runtimes,
        "gpu_hours": user.quota_gpu_hours,
    }


async def _audit_change(
    audit: AuditLog,
    actor: Party,
    subject: Who,
    was: dict[str, bool | int | float | None],
    now: dict[str, bool | int | float | None],
) -> None:
    via: dict[str, Value] = {"via": "cli" if actor is None else "api"}
    if was["disabled"] != now["disabled"]:
        kind = "account.disabled" if now["disabled"] else "account.enabled"
        await audit.record(kind, actor=actor, subject=subject, detail=via)
    if was["is_admin"] != now["is_admin"]:
        kind = "account.admin_granted" if now["is_admin"] else "account.admin_revoked"
        await audit.record(kind, actor=actor, subject=subject, detail=via)
    changed: dict[str, Value] = {
        k: now[k] for k in ("drive_bytes", "runtimes", "gpu_hours") if was[k] != now[k]
    }
    if changed:
        await audit.record("account.quota", actor=actor, subject=subject, detail=via | changed)
