"""Per-user quotas: drive size, runtimes at once, GPU hours (docs/admin.md).

Service-wide defaults come from settings; an administrator overrides them per user
(a column of ``users``; None there means "the default"). GPU hours are counted from the
``runtime_usage`` rows the runtime manager writes as GPU runtimes start and stop.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Conflict, ServiceError
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import RuntimeUsage, User

if TYPE_CHECKING:
    from cloudbook.runtimes.runtime_types import RuntimeType


class QuotaExceeded(ServiceError):
    status = 413
    code = "drive_quota_exceeded"


@dataclass(frozen=True)
class Quotas:
    """None: unlimited."""

    drive_bytes: int | None
    runtimes: int | None
    gpu_hours: float | None


def _size(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def folder_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links are not followed)."""
    total = 0
    stack = [str(path)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


def gpu_hours(rows: list[tuple[int, datetime, datetime | None]], now: datetime) -> float:
    seconds = sum(
        g * ((as_utc(end) if end else now) - as_utc(start)).total_seconds()
        for g, start, end in rows
    )
    return max(0.0, seconds / 3600)


class QuotaService:
    def __init__(self, db: Database, drive_dir: Path, defaults: Quotas) -> None:
        self.db = db
        self.drive_dir = drive_dir
        self.defaults = defaults

    async def for_user(self, user_id: int) -> Quotas:
        async with self.db.session() as s:
            user = await s.get(User, user_id)
        if user is None:
            return self.defaults
        return Quotas(
            drive_bytes=(
                user.quota_drive_bytes
                if user.quota_drive_bytes is not None
                else self.defaults.drive_bytes
            ),
            runtimes=user.quota_runtimes
            if user.quota_runtimes is not None
            else self.defaults.runtimes,
            gpu_hours=(
                user.quota_gpu_hours
                if user.quota_gpu_hours is not None
                else self.defaults.gpu_hours
            ),
        )

    async def drive_used(self, user_id: int) -> int:
        return await asyncio.to_thread(folder_size, self.drive_dir / str(user_id))

    async def check_drive(self, owner_id: int, new_size: int, old_size: int = 0) -> None:
        """Refuse (413) a write that would take the owner's drive past its quota."""
        limit = (await self.for_user(owner_id)).drive_bytes
        if limit is None or new_size <= old_size:
            return
        used = await self.drive_used(owner_id)
        if used - old_size + new_size > limit:
            raise QuotaExceeded(
                f"Not saved: this would take the drive to {_size(used - old_size + new_size)},"
                f" over its quota of {_size(limit)}. Delete files (and empty the Trash) or"
                " ask an administrator for more space."
            )

    async def gpu_hours_used(self, user_id: int) -> float:
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(RuntimeUsage.gpus, RuntimeUsage.started_at, RuntimeUsage.ended_at).where(
                        RuntimeUsage.user_id == user_id, RuntimeUsage.gpus > 0
                    )
                )
            ).all()
        return gpu_hours([(g, a, b) for g, a, b in rows], utcnow())

    async def admit_runtime(self, user: UserInfo, rtype: RuntimeType, held: int) -> None:
        """The runtime manager asks this before giving ``user`` one more runtime."""
        quotas = await self.for_user(user.id)
        if quotas.runtimes is not None and held >= quotas.runtimes:
            raise Conflict(
                f"You already have {held} runtime(s) running, the most allowed at once"
                f" ({quotas.runtimes}). Stop one (Runtime > Manage sessions) and try again.",
                code="runtime_quota_exceeded",
            )
        if rtype.accelerator == "gpu" and quotas.gpu_hours is not None:
            used = await self.gpu_hours_used(user.id)
            if used >= quotas.gpu_hours:
                raise Conflict(
                    f"You have used your {quotas.gpu_hours:g} GPU hour(s)"
                    f" ({used:.2f} h used). Change the runtime type to CPU, or ask an"
                    " administrator for more.",
                    code="gpu_quota_exceeded",
                )

    async def over_gpu_quota(self, user_ids: set[int]) -> set[int]:
        """Those among these who used up their GPU hours (their GPU runtimes stop)."""
        over = set()
        for user_id in user_ids:
            limit = (await self.for_user(user_id)).gpu_hours
            if limit is not None and await self.gpu_hours_used(user_id) >= limit:
                over.add(user_id)
        return over

    async def disabled_among(self, user_ids: set[int]) -> set[int]:
        """The disabled accounts among these (their runtimes are stopped)."""
        async with self.db.session() as s:
            rows = await s.execute(select(User.id).where(User.id.in_(user_ids), User.disabled))
            return set(rows.scalars())
