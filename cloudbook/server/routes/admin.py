"""The admin page's API: accounts, everyone's runtimes, storage and quotas. Every route
of this router requires an administrator (the router's dependency checks it first)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import ServicesDep, current_user
from cloudbook.services.admin import AccountRow, RuntimeRow
from cloudbook.services.audit import MAX_PAGE
from cloudbook.services.errors import Forbidden
from cloudbook.services.identity import UserInfo
from cloudbook.services.quotas import Quotas


async def require_admin(request: Request) -> UserInfo:
    user = await current_user(request)
    if not user.is_admin:
        raise Forbidden("Only administrators may do this.", code="admin_only")
    return user


AdminUser = Annotated[UserInfo, Depends(require_admin)]
router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])


class QuotasOut(BaseModel):
    """null: unlimited (in ``effective``) or the default (in ``overrides``)."""

    drive_bytes: int | None
    runtimes: int | None
    gpu_hours: float | None


class AccountOut(BaseModel):
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
    overrides: QuotasOut
    effective: QuotasOut


class AccountList(BaseModel):
    users: list[AccountOut]
    defaults: QuotasOut


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    # null: no password (the account signs in with OpenID Connect or a login link)
    password: str | None = Field(default=None, max_length=1024)
    is_admin: bool = False


class QuotasIn(BaseModel):
    """Fields left out stay as they are; null returns a field to the default."""

    model_config = ConfigDict(extra="forbid")
    drive_bytes: int | None = Field(default=None, ge=0)
    runtimes: int | None = Field(default=None, ge=0)
    gpu_hours: float | None = Field(default=None, ge=0)


class AccountChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disabled: bool | None = None
    is_admin: bool | None = None
    quotas: QuotasIn | None = None


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(max_length=1024)


class AdminRuntimeOut(BaseModel):
    id: str
    owner: str | None
    notebook_id: str | None
    gpu: str | None
    kind: str


class AdminRuntimeList(BaseModel):
    runtimes: list[AdminRuntimeOut]


def _quotas(q: Quotas) -> QuotasOut:
    return QuotasOut(drive_bytes=q.drive_bytes, runtimes=q.runtimes, gpu_hours=q.gpu_hours)


def _account(row: AccountRow) -> AccountOut:
    data = {k: v for k, v in row.__dict__.items() if k not in ("overrides", "effective")}
    return AccountOut(**data, overrides=_quotas(row.overrides), effective=_quotas(row.effective))


def _runtime(row: RuntimeRow) -> AdminRuntimeOut:
    return AdminRuntimeOut(**row.__dict__)


@router.get("/users", response_model=AccountList)
async def list_users(admin: AdminUser, s: ServicesDep) -> AccountList:
    """Every account with its storage, GPU hours, runtimes held and quotas."""
    rows = await s.admin.list_accounts()
    return AccountList(users=[_account(r) for r in rows], defaults=_quotas(s.quotas.defaults))


@router.post("/users", status_code=201, response_model=AccountOut)
async def add_user(body: NewAccount, admin: AdminUser, s: ServicesDep) -> AccountOut:
    return _account(await s.admin.add(body.name, body.password, body.is_admin, admin))


@router.patch("/users/{user_id}", response_model=AccountOut)
async def change_user(
    user_id: int, body: AccountChange, admin: AdminUser, s: ServicesDep
) -> AccountOut:
    """Disable or enable (a disabled account's sessions, tokens and runtimes stop at
    once), make or unmake admin, set quota overrides."""
    quotas = body.quotas.model_dump(exclude_unset=True) if body.quotas is not None else None
    row = await s.admin.update(
        admin, user_id, disabled=body.disabled, is_admin=body.is_admin, quotas=quotas
    )
    return _account(row)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    user_id: int, body: PasswordReset, admin: AdminUser, s: ServicesDep
) -> Response:
    """Set a new password; the account's browser sessions end."""
    await s.admin.reset_password(user_id, body.password, admin)
    return Response(status_code=204)


@router.get("/runtimes", response_model=AdminRuntimeList)
async def list_runtimes(admin: AdminUser, s: ServicesDep) -> AdminRuntimeList:
    return AdminRuntimeList(runtimes=[_runtime(r) for r in await s.admin.runtime_rows()])


@router.delete("/runtimes/{runtime_id}", status_code=204)
async def stop_runtime(runtime_id: str, admin: AdminUser, s: ServicesDep) -> Response:
    await s.runtimes.stop_assigned(runtime_id, reason="admin", by=admin)
    return Response(status_code=204)


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    # Who acted (null: the service itself, or a failed sign-in by no known account).
    actor: str | None
    # The account it is about (the person shared with, the account changed, the owner).
    subject: str | None
    # A notebook id, "folder:<owner id>:<path>" or a runtime id.
    target: str | None
    detail: dict[str, str | int | float | bool | None]


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    # Pass as ``before`` to get the next, older page; null: no more.
    next_before: int | None


@router.get("/audit", response_model=AuditPage)
async def audit_log(
    admin: AdminUser,
    s: ServicesDep,
    user: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=48)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> AuditPage:
    """The audit log, newest first: ``user`` (who acted or whom it was about), ``kind``
    (``share.added`` or a family: ``share``), ``since``/``until`` (ISO times),
    ``before`` (an id from ``next_before``) and ``limit`` (1-200)."""
    page = await s.audit.events(
        user=user or None, kind=kind or None, since=since, until=until, before=before, limit=limit
    )
    return AuditPage(
        events=[AuditEventOut(**e.__dict__) for e in page.events], next_before=page.next_before
    )
