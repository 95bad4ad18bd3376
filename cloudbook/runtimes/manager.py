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
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cloudbook.runtimes import gpus as gpu_env
from cloudbook.runtimes import records, runtime_events
from cloudbook.runtimes.gpu_allocator import GpuAllocator
from cloudbook.runtimes.gpu_line import GpuLine
from cloudbook.runtimes.gpus import Gpu
from cloudbook.runtimes.managed import (
    ActivitySource,
    GpuUnavailable,
    ManagedRuntime,
    OnNoGpu,
    Queued,
)
from cloudbook.runtimes.provider import (
    Runtime,
    RuntimeProvider,
    RuntimeRefused,
    RuntimeSpec,
    RuntimeStatus,
)
from cloudbook.runtimes.runtime_types import CPU, PoolKind, RuntimeType
from cloudbook.services.audit import AuditLog, Party
from cloudbook.services.errors import Conflict, NotFound, Unavailable
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database

__all__ = ["ActivitySource", "GpuUnavailable", "ManagedRuntime", "OnNoGpu", "Queued"]

log = logging.getLogger("cloudbook.runtimes")
Admission = Callable[[UserInfo, RuntimeType, int], Awaitable[None]]
UNWATCHED_TICKET_SECONDS = 60  # the page asks every 2 s while it waits for a GPU


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
        pools: dict[PoolKind, int] | None = None,
        gpus: GpuAllocator | None = None,
        fake_nvml: bool = False,
    ) -> None:
        self.provider = provider
        self.db = db
        self.activity = activity
        self.instance_id = instance_id
        self.gpus = gpus or GpuAllocator([])
        self.pool_sizes: dict[PoolKind, int] = dict(pools or {"cpu": pool_size, "gpu": 0})
        if not self.gpus.gpus:
            self.pool_sizes["gpu"] = 0
        self.fake_nvml = fake_nvml  # tell runtimes' resources bar to report the fake GPU
        self.idle_timeout = idle_timeout
        self.reap_interval = reap_interval
        self.kernel_ready_timeout = kernel_ready_timeout
        # Users' drive folders (<root>/<user id>): each runtime gets its user's at assignment.
        self.drive_root = drive_root
        self._assigned: dict[str, ManagedRuntime] = {}
        self._pools: dict[PoolKind, list[ManagedRuntime]] = {"cpu": [], "gpu": []}
        self._starting: dict[PoolKind, int] = {"cpu": 0, "gpu": 0}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.line = GpuLine(self.gpus, self._tasks)
        self._attach_locks: dict[str, asyncio.Lock] = {}
        self._closed = False
        self._pool_changed = asyncio.Event()
        # The provider places GPUs itself (a cluster's GPU profiles): no local allocator.
        self.places_gpus: bool = getattr(provider, "places_gpus", False)
        self._generation = 0  # bumped by renew_pool: older warm starts are not kept
        # Quotas (cloudbook.services.quotas): asked before a user gets a new runtime, with
        # how many they hold (running, queued or being started); raises to refuse.
        self.admission: Admission | None = None
        # Of these owners, those whose runtimes must go (disabled by the CLI or another
        # replica): asked at each idle sweep.
        self.owners_to_stop: Callable[[set[int]], Awaitable[set[int]]] | None = None
        # Of these owners, those past their GPU-hour quota: their GPU runtimes stop.
        self.owners_over_gpu_quota: Callable[[set[int]], Awaitable[set[int]]] | None = None
        self._admitting: dict[int, int] = {}
        self.audit = AuditLog(db)  # the service's shared one is set by load_services

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
        assigned = list(self._assigned.values())
        everything = [*self._pools["cpu"], *self._pools["gpu"], *assigned]
        for pool in self._pools.values():
            pool.clear()
        self._assigned.clear()
        for managed in assigned:
            await self.audit_stop(managed, "shutdown")
        await asyncio.gather(*(self._stop(m) for m in everything), return_exceptions=True)
        close = getattr(self.provider, "aclose", None)
        if close is not None:  # a provider with a client of its own (jupyterhub)
            await close()

    async def reclaim_orphans(self) -> None:
        left = await records.left_behind(self.db, self.instance_id)
        await self.provider.reclaim_orphans(left)
        await records.forget_instance(self.db, self.instance_id)
        if left:
            log.info("reclaimed %d runtime(s) left by an earlier run", len(left))

    # --- warm pool --------------------------------------------------------------

    @property
    def pool_size(self) -> int:
        return sum(self.pool_sizes.values())

    @property
    def _pool(self) -> list[ManagedRuntime]:
        """The CPU pool (what ``CLOUDBOOK_POOL_SIZE`` sizes)."""
        return self._pools["cpu"]

    def fill_pool(self) -> None:
        if self._closed:
            return
        for kind, size in self.pool_sizes.items():
            missing = size - len(self._pools[kind]) - self._starting[kind]
            for _ in range(max(0, missing)):
                runtime_id = str(uuid.uuid4())
                gpu = None
                if kind == "gpu":
                    gpu = self.gpus.try_acquire(runtime_id, None)
                    if gpu is None:
                        break  # every GPU is busy: refilled when one is released
                self._starting[kind] += 1
                self._spawn(self._add_to_pool(kind, runtime_id, gpu))

    async def renew_pool(self) -> None:
        """Replace every warm runtime by a new one (the runtime image changed): runtimes
        already assigned keep running as they are."""
        self._generation += 1
        old = [m for pool in self._pools.values() for m in pool]
        for pool in self._pools.values():
            pool.clear()
        self.fill_pool()
        await asyncio.gather(*(self._stop(m) for m in old), return_exceptions=True)

    async def _add_to_pool(self, kind: PoolKind, runtime_id: str, gpu: Gpu | None) -> None:
        rtype = RuntimeType("gpu", gpu.name, "standard") if gpu else CPU
        generation = self._generation
        try:
            managed = await self._start_runtime(None, rtype, gpu, runtime_id)
        except Exception:
            log.exception("could not start a warm %s runtime", kind)
            self.gpus.release(runtime_id)
            return
        finally:
            self._starting[kind] -= 1
        if self._closed or generation != self._generation:
            await self._stop(managed)  # started from an image since replaced
            self.fill_pool()
            return
        self._pools[kind].append(managed)
        self._pool_changed.set()

    @property
    def pool_full(self) -> bool:
        """Every pool holds its count (a GPU pool also when every GPU is in use)."""
        no_free_gpu = not any(free for free, _ in self.gpus.counts().values())
        return all(
            len(self._pools[k]) >= n or (k == "gpu" and no_free_gpu and not self._starting[k])
            for k, n in self.pool_sizes.items()
        )

    async def wait_pool_ready(self, timeout: float = 60) -> None:
        """For tests and benchmarks: wait until every pool is full."""
        deadline = time.monotonic() + timeout
        while not self.pool_full:
            self._pool_changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("warm pool did not fill in time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pool_changed.wait(), remaining)

    async def _start_runtime(
        self,
        drive_dir: Path | None = None,
        rtype: RuntimeType = CPU,
        gpu: Gpu | None = None,
        runtime_id: str | None = None,
    ) -> ManagedRuntime:
        from cloudbook.runtimes.jupyter_api import JupyterServerClient

        runtime_id = runtime_id or str(uuid.uuid4())
        env = gpu_env.runtime_env(gpu)  # a CPU runtime: CUDA_VISIBLE_DEVICES=""
        if gpu is not None and self.fake_nvml:
            env["CLOUDBOOK_FAKE_NVML"] = str(gpu.memory_total)
        placed = self.places_gpus and rtype.accelerator == "gpu"
        spec = RuntimeSpec(
            runtime_id=runtime_id,
            accelerator="gpu" if gpu is not None or placed else "none",
            gpu_type=rtype.gpu_type if placed else None,
            shape=rtype.shape,
            gpu_devices=gpu.nodes if gpu is not None else (),
            drive_dir=str(drive_dir) if drive_dir else None,
            env=env,
        )
        runtime = await self.provider.start(spec)
        try:
            await self._record(runtime, rtype)
            client = JupyterServerClient(runtime)
            kernel_id = await client.start_kernel()
            await client.wait_kernel_ready(kernel_id, timeout=self.kernel_ready_timeout)
        except BaseException:
            await self.provider.stop(runtime)
            await self._forget(runtime_id)
            raise
        return ManagedRuntime(runtime=runtime, kernel_id=kernel_id, rtype=rtype, gpu=gpu)

    # --- allocation -------------------------------------------------------------

    async def attach(
        self,
        user: UserInfo,
        notebook_id: str,
        rtype: RuntimeType = CPU,
        on_no_gpu: OnNoGpu = "fail",
    ) -> ManagedRuntime | Queued:
        """The notebook's runtime, allocating one of type ``rtype`` (a warm one when
        available). No GPU free: ``on_no_gpu`` fails (409 ``gpu_unavailable``), queues the
        notebook (``Queued``; the runtime starts when a GPU frees up) or uses the CPU."""
        lock = self._attach_locks.setdefault(notebook_id, asyncio.Lock())
        async with lock:
            current = self.for_notebook(user, notebook_id)
            if current is not None:
                return current
            queued = self.queued(user, notebook_id)
            if queued is not None:
                return queued
            if self.admission is not None:
                await self.admission(user, rtype, self.held_by(user.id))
            self._admitting[user.id] = self._admitting.get(user.id, 0) + 1
            try:
                return await self._attach_new(user, notebook_id, rtype, on_no_gpu)
            finally:
                self._admitting[user.id] -= 1

    def held_by(self, user_id: int) -> int:
        """Runtimes the user holds: assigned, waiting for a GPU, or being started."""
        assigned = sum(1 for m in self._assigned.values() if m.owner_id == user_id)
        return assigned + self.line.count_of(user_id) + self._admitting.get(user_id, 0)

    @property
    def assigned_runtimes(self) -> list[ManagedRuntime]:
        return list(self._assigned.values())

    async def stop_assigned(
        self, runtime_id: str, *, reason: str = "admin", by: Party = None
    ) -> None:
        """Stop anyone's runtime (administrators; callers check who asks)."""
        managed = self._assigned.pop(runtime_id, None)
        if managed is None:
            raise NotFound("No such runtime.", code="no_such_runtime")
        await self.audit_stop(managed, reason, by)
        await self._stop(managed)

    async def audit_start(self, managed: ManagedRuntime) -> None:
        await runtime_events.started(self.audit, managed)

    async def audit_stop(self, managed: ManagedRuntime, reason: str, by: Party = None) -> None:
        await runtime_events.stopped(self.audit, managed, reason, by)

    async def _attach_new(
        self, user: UserInfo, notebook_id: str, rtype: RuntimeType, on_no_gpu: OnNoGpu
    ) -> ManagedRuntime | Queued:
        gpu: Gpu | None = None
        runtime_id = str(uuid.uuid4())
        managed = self._take_warm(rtype)
        if managed is None and rtype.accelerator == "gpu" and not self.places_gpus:
            gpu = self.gpus.try_acquire(runtime_id, rtype.gpu_type)
            if gpu is None:
                if on_no_gpu == "wait" and self.gpus.gpus:
                    return self._enqueue(user, notebook_id, rtype, runtime_id)
                if on_no_gpu != "cpu":  # "fail", or "wait" with no GPU to wait for
                    raise GpuUnavailable.for_type(rtype, bool(self.gpus.gpus))
                rtype = replace(rtype, accelerator="none", gpu_type=None)
                managed = self._take_warm(rtype)
        try:
            return await self._assign(user, notebook_id, managed, rtype, gpu, runtime_id)
        except BaseException:
            if gpu is not None:
                self.gpus.release(runtime_id)
            raise

    def gpu_counts(self) -> dict[str, tuple[int, int]]:
        """Per GPU model (free, total); a GPU waiting in the warm pool counts as free."""
        counts = self.gpus.counts()
        for m in self._pools["gpu"]:
            if m.gpu is not None and m.gpu.name in counts:
                free, total = counts[m.gpu.name]
                counts[m.gpu.name] = (free + 1, total)
        return counts

    def _take_warm(self, rtype: RuntimeType) -> ManagedRuntime | None:
        if rtype.shape != "standard":
            return None  # pools hold standard runtimes only
        pool = self._pools[rtype.pool_kind]
        for i, m in enumerate(pool):
            if rtype.gpu_type is None or (m.gpu is not None and m.gpu.name == rtype.gpu_type):
                pool.pop(i)
                self.fill_pool()
                return m
        return None

    async def _assign(
        self,
        user: UserInfo,
        notebook_id: str,
        managed: ManagedRuntime | None,
        rtype: RuntimeType,
        gpu: Gpu | None,
        runtime_id: str,
    ) -> ManagedRuntime:
        drive = self.drive_root / str(user.id) if self.drive_root is not None else None
        if managed is not None and drive is not None:
            managed = await self._give_drive(managed, drive)
        if managed is None:
            if rtype.accelerator == "gpu" and gpu is None and not self.places_gpus:
                gpu = self.gpus.try_acquire(runtime_id, rtype.gpu_type)  # its warm one failed
                if gpu is None:
                    raise GpuUnavailable.for_type(rtype, bool(self.gpus.gpus))
            try:
                managed = await self._start_runtime(drive, rtype, gpu, runtime_id)
            except RuntimeRefused as exc:
                raise Conflict(str(exc), code="runtime_refused") from exc
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
        await records.assign(self.db, managed.id, user.id, notebook_id, managed.kernel_id)
        await records.usage_started(self.db, managed.id, user.id, 1 if managed.gpu else 0)
        await self.audit_start(managed)
        return managed

    async def attach_server(
        self, user: UserInfo, notebook_id: str, runtime: Runtime, kernel_id: str
    ) -> ManagedRuntime:
        """Make a server the user runs (checked by cloudbook.runtimes.attach) the
        notebook's runtime, replacing the one it had."""
        lock = self._attach_locks.setdefault(notebook_id, asyncio.Lock())
        async with lock:
            self.leave_queue(user, notebook_id)
            current = self.for_notebook(user, notebook_id)
            if current is not None:
                self._assigned.pop(current.id, None)
                await self.audit_stop(current, "replaced", user)
                await self._stop(current)
            managed = ManagedRuntime(
                runtime=runtime,
                kernel_id=kernel_id,
                owner_id=user.id,
                notebook_id=notebook_id,
                attached=True,
            )
            self._assigned[managed.id] = managed
            await self.audit_start(managed)
            return managed

    # --- the GPU line -------------------------------------------------------------

    def _enqueue(
        self, user: UserInfo, notebook_id: str, rtype: RuntimeType, runtime_id: str
    ) -> Queued:
        async def start(gpu: Gpu) -> ManagedRuntime:
            return await self._assign(user, notebook_id, None, rtype, gpu, runtime_id)

        return self.line.enqueue(user.id, notebook_id, rtype, runtime_id, start)

    def queued(self, user: UserInfo, notebook_id: str) -> Queued | None:
        return self.line.queued(user.id, notebook_id)

    def leave_queue(self, user: UserInfo, notebook_id: str) -> bool:
        return self.line.leave(user.id, notebook_id)

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

    async def locate(self, user: UserInfo, runtime_id: str) -> ManagedRuntime:
        """The caller's runtime, wherever it is held (one replica: ``owned``)."""
        return self.owned(user, runtime_id)

    def reaches_directly(self, managed: ManagedRuntime) -> bool:
        """Whether this replica can talk to the runtime's server itself."""
        return managed.held_by is None

    async def session_of(self, user: UserInfo, notebook_id: str) -> ManagedRuntime | None:
        """The notebook's runtime, wherever it is held (one replica: ``for_notebook``)."""
        return self.for_notebook(user, notebook_id)

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
        await self.audit_stop(managed, "user", user)
        await self._stop(managed)

    async def detach_notebook(self, user: UserInfo, notebook_id: str) -> None:
        managed = self.for_notebook(user, notebook_id)
        if self.leave_queue(user, notebook_id) and managed is None:
            return
        if managed is None:
            raise NotFound("This notebook has no runtime.", code="no_session")
        await self.delete(user, managed.id)

    # --- idle reclaim -----------------------------------------------------------

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.reap_interval)
            try:
                await self.reap_idle()
                await self.report_activity()
            except Exception:
                log.exception("idle reaper failed")

    async def report_activity(self) -> None:
        """Tell a provider that keeps its own idle clock (JupyterHub) when each runtime
        held here was last used: now while a page is connected."""
        report = getattr(self.provider, "report_activity", None)
        if report is None:
            return
        wall, now = time.time(), time.monotonic()
        active: dict[str, float] = {}
        for managed in self._assigned.values():
            if managed.attached:
                continue
            last = self.activity.last_activity(managed.id)
            if self.activity.has_clients(managed.id):
                active[managed.id] = wall
            elif last is not None:
                active[managed.id] = wall - (now - last)
        await report(active)

    async def reap_idle(self) -> list[str]:
        self.line.drop_unwatched(UNWATCHED_TICKET_SECONDS)
        now = time.monotonic()
        reaped: dict[str, str] = {}  # runtime id -> why (the audit log's reason)
        owners = {m.owner_id for m in self._assigned.values() if m.owner_id is not None}
        barred = await self.owners_to_stop(owners) if self.owners_to_stop and owners else set()
        gpu_owners = {m.owner_id for m in self._assigned.values() if m.gpu is not None}
        gpu_owners.discard(None)
        over: set[int | None] = set()
        if self.owners_over_gpu_quota is not None and gpu_owners:
            over = set(await self.owners_over_gpu_quota({o for o in gpu_owners if o}))
        for managed in list(self._assigned.values()):
            if managed.owner_id in barred:
                reaped[managed.id] = "disabled"
                continue
            if managed.gpu is not None and managed.owner_id in over:
                reaped[managed.id] = "quota"
                continue
            status = await self.status(managed)
            if status.state in ("stopped", "dead"):
                reaped[managed.id] = "dead"
                continue
            if self.activity.has_clients(managed.id):
                continue
            last = max(managed.assigned_at, self.activity.last_activity(managed.id) or 0.0)
            if now - last >= self.idle_timeout:
                reaped[managed.id] = "idle"
        for runtime_id, reason in reaped.items():
            managed_or_none = self._assigned.pop(runtime_id, None)
            if managed_or_none is not None:
                log.info("reclaiming runtime %s (%s)", runtime_id, reason)
                await self.audit_stop(managed_or_none, reason)
                await self._stop(managed_or_none)
        return list(reaped)

    # --- helpers ----------------------------------------------------------------

    async def status(self, managed: ManagedRuntime) -> RuntimeStatus:
        if managed.attached:
            from cloudbook.runtimes.attach import attached_status

            return await attached_status(managed.runtime, managed.kernel_id)
        return await self.provider.status(managed.runtime)

    async def _stop(self, managed: ManagedRuntime) -> None:
        with contextlib.suppress(Exception):
            await self.activity.close_runtime(managed.id)
        if managed.attached:
            from cloudbook.runtimes.attach import release_attached

            await release_attached(managed.runtime, managed.kernel_id)
            return
        try:
            await self.provider.stop(managed.runtime)
        finally:
            await self._forget(managed.id)
            await records.usage_ended(self.db, managed.id)
            if managed.gpu is not None:
                # Only now, with its processes gone: the next holder gets a quiet device.
                self.gpus.release(managed.id)
                self.fill_pool()

    async def _record(self, runtime: Runtime, rtype: RuntimeType = CPU) -> None:
        await records.record(
            self.db,
            self.instance_id,
            self.provider.name,
            runtime,
            accelerator=rtype.accelerator,
            gpu_type=rtype.gpu_type,
            shape=rtype.shape,
        )

    async def _forget(self, runtime_id: str) -> None:
        await records.forget(self.db, runtime_id)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
