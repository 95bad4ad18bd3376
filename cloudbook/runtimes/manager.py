"""Allocation policy above the providers: warm pool, ownership, idle reclaim, orphans.

Runtimes live in this process's memory (they are processes of this machine or
servers it alone talks to); the store keeps a record of each so that a service
that was killed can reclaim what it left at its next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, select

from cloudbook.runtimes.provider import Runtime, RuntimeProvider, RuntimeSpec
from cloudbook.services.clock import utcnow
from cloudbook.services.errors import NotFound, Unavailable
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import RuntimeRecord

log = logging.getLogger("cloudbook.runtimes")


class ActivitySource(Protocol):
    """What the kernel proxy tells the reaper."""

    def last_activity(self, runtime_id: str) -> float | None: ...
    def has_clients(self, runtime_id: str) -> bool: ...
    async def close_runtime(self, runtime_id: str) -> None: ...


@dataclass
class ManagedRuntime:
    runtime: Runtime
    kernel_id: str
    owner_id: int | None = None
    notebook_id: str | None = None
    assigned_at: float = field(default_factory=time.monotonic)

    @property
    def id(self) -> str:
        return self.runtime.runtime_id


class RuntimeManager:
    def __init__(
        self,
        provider: RuntimeProvider,
        db: Database,
        activity: ActivitySource,
        *,
        instance_id: str,
        pool_size: int = 1,
        idle_timeout: float = 5400,
        reap_interval: float = 30,
        kernel_ready_timeout: float = 60,
        drive_root: Path | None = None,
    ) -> None:
        self.provider = provider
        self.db = db
        self.activity = activity
        self.instance_id = instance_id
        self.pool_size = pool_size
        self.idle_timeout = idle_timeout
        self.reap_interval = reap_interval
        self.kernel_ready_timeout = kernel_ready_timeout
        # Users' drive folders (<root>/<user id>): each runtime gets its user's at assignment.
        self.drive_root = drive_root
        self._assigned: dict[str, ManagedRuntime] = {}
        self._pool: list[ManagedRuntime] = []
        self._starting = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._attach_locks: dict[str, asyncio.Lock] = {}
        self._closed = False
        self._pool_changed = asyncio.Event()

    # --- life cycle -------------------------------------------------------------

    async def start(self) -> None:
        await self.reclaim_orphans()
        self._spawn(self._reap_forever())
        self.fill_pool()

    async def shutdown(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        everything = list(self._pool) + list(self._assigned.values())
        self._pool.clear()
        self._assigned.clear()
        await asyncio.gather(*(self._stop(m) for m in everything), return_exceptions=True)

    async def reclaim_orphans(self) -> None:
        async with self.db.session() as s:
            rows = (
                (
                    await s.execute(
                        select(RuntimeRecord).where(RuntimeRecord.instance_id == self.instance_id)
                    )
                )
                .scalars()
                .all()
            )
            records = [
                Runtime(runtime_id=r.id, url=r.url, token="", sandboxed=r.sandboxed, pid=r.pid)
                for r in rows
            ]
            await self.provider.reclaim_orphans(records)
            await s.execute(
                delete(RuntimeRecord).where(RuntimeRecord.instance_id == self.instance_id)
            )
            await s.commit()
        if records:
            log.info("reclaimed %d runtime(s) left by an earlier run", len(records))

    # --- warm pool --------------------------------------------------------------

    def fill_pool(self) -> None:
        if self._closed:
            return
        missing = self.pool_size - len(self._pool) - self._starting
        for _ in range(max(0, missing)):
            self._starting += 1
            self._spawn(self._add_to_pool())

    async def _add_to_pool(self) -> None:
        try:
            managed = await self._start_runtime()
        except Exception:
            log.exception("could not start a warm runtime")
            return
        finally:
            self._starting -= 1
        if self._closed:
            await self._stop(managed)
            return
        self._pool.append(managed)
        self._pool_changed.set()

    @property
    def pool_full(self) -> bool:
        return len(self._pool) >= self.pool_size

    async def wait_pool_ready(self, timeout: float = 60) -> None:
        """For tests and benchmarks: wait until the pool is full."""
        deadline = time.monotonic() + timeout
        while len(self._pool) < self.pool_size:
            self._pool_changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("warm pool did not fill in time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pool_changed.wait(), remaining)

    async def _start_runtime(self, drive_dir: Path | None = None) -> ManagedRuntime:
        from cloudbook.runtimes.jupyter_api import JupyterServerClient

        runtime_id = str(uuid.uuid4())
        spec = RuntimeSpec(runtime_id=runtime_id, drive_dir=str(drive_dir) if drive_dir else None)
        runtime = await self.provider.start(spec)
        try:
            await self._record(runtime)
            client = JupyterServerClient(runtime)
            kernel_id = await client.start_kernel()
            await client.wait_kernel_ready(kernel_id, timeout=self.kernel_ready_timeout)
        except BaseException:
            await self.provider.stop(runtime)
            await self._forget(runtime_id)
            raise
        return ManagedRuntime(runtime=runtime, kernel_id=kernel_id)

    # --- allocation -------------------------------------------------------------

    async def attach(self, user: UserInfo, notebook_id: str) -> ManagedRuntime:
        """The notebook's runtime, allocating one (the warm one when available)."""
        lock = self._attach_locks.setdefault(notebook_id, asyncio.Lock())
        async with lock:
            current = self.for_notebook(user, notebook_id)
            if current is not None:
                return current
            managed = self._pool.pop(0) if self._pool else None
            self.fill_pool()
            drive = self.drive_root / str(user.id) if self.drive_root is not None else None
            if managed is not None and drive is not None:
                managed = await self._give_drive(managed, drive)
            if managed is None:
                try:
                    managed = await self._start_runtime(drive)
                except Exception as exc:
                    log.exception("could not start a runtime")
                    raise Unavailable(
                        "Could not start a runtime. Try again in a moment.",
                        code="runtime_start_failed",
                    ) from exc
            managed.owner_id = user.id
            managed.notebook_id = notebook_id
            managed.assigned_at = time.monotonic()
            self._assigned[managed.id] = managed
            async with self.db.session() as s:
                record = await s.get(RuntimeRecord, managed.id)
                if record is not None:
                    record.owner_id = user.id
                    record.notebook_id = notebook_id
                    record.kernel_id = managed.kernel_id
                    await s.commit()
            return managed

    async def _give_drive(self, managed: ManagedRuntime, drive: Path) -> ManagedRuntime | None:
        """The warm runtime with the user's drive mounted in, or None when that cannot be
        done (then a runtime is started with the drive bound from the start)."""
        try:
            if await self.provider.assign_drive(managed.runtime, drive):
                return managed
        except Exception:
            log.exception("could not give a warm runtime its user's drive")
        await self._stop(managed)  # it may hold a half-made mount: never hand it to anyone
        return None

    def for_notebook(self, user: UserInfo, notebook_id: str) -> ManagedRuntime | None:
        for managed in self._assigned.values():
            if managed.notebook_id == notebook_id and managed.owner_id == user.id:
                return managed
        return None

    def assigned(self, runtime_id: str) -> ManagedRuntime | None:
        """An assigned runtime by id, whoever owns it (callers check ownership)."""
        return self._assigned.get(runtime_id)

    def owned(self, user: UserInfo, runtime_id: str) -> ManagedRuntime:
        managed = self._assigned.get(runtime_id)
        if managed is None or managed.owner_id != user.id:
            raise NotFound("No such runtime.", code="no_such_runtime")
        return managed

    async def delete(self, user: UserInfo, runtime_id: str) -> None:
        managed = self.owned(user, runtime_id)
        self._assigned.pop(runtime_id, None)
        await self._stop(managed)

    async def detach_notebook(self, user: UserInfo, notebook_id: str) -> None:
        managed = self.for_notebook(user, notebook_id)
        if managed is None:
            raise NotFound("This notebook has no runtime.", code="no_session")
        await self.delete(user, managed.id)

    # --- idle reclaim -----------------------------------------------------------

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.reap_interval)
            try:
                await self.reap_idle()
            except Exception:
                log.exception("idle reaper failed")

    async def reap_idle(self) -> list[str]:
        now = time.monotonic()
        reaped: list[str] = []
        for managed in list(self._assigned.values()):
            status = await self.provider.status(managed.runtime)
            if status.state in ("stopped", "dead"):
                reaped.append(managed.id)
                continue
            if self.activity.has_clients(managed.id):
                continue
            last = max(managed.assigned_at, self.activity.last_activity(managed.id) or 0.0)
            if now - last >= self.idle_timeout:
                reaped.append(managed.id)
        for runtime_id in reaped:
            managed_or_none = self._assigned.pop(runtime_id, None)
            if managed_or_none is not None:
                log.info("reclaiming idle runtime %s", runtime_id)
                await self._stop(managed_or_none)
        return reaped

    # --- helpers ----------------------------------------------------------------

    async def _stop(self, managed: ManagedRuntime) -> None:
        with contextlib.suppress(Exception):
            await self.activity.close_runtime(managed.id)
        try:
            await self.provider.stop(managed.runtime)
        finally:
            await self._forget(managed.id)

    async def _record(self, runtime: Runtime) -> None:
        async with self.db.session() as s:
            s.add(
                RuntimeRecord(
                    id=runtime.runtime_id,
                    instance_id=self.instance_id,
                    provider=self.provider.name,
                    url=runtime.url,
                    pid=runtime.pid,
                    sandboxed=runtime.sandboxed,
                    created_at=utcnow(),
                )
            )
            await s.commit()

    async def _forget(self, runtime_id: str) -> None:
        async with self.db.session() as s:
            await s.execute(delete(RuntimeRecord).where(RuntimeRecord.id == runtime_id))
            await s.commit()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
