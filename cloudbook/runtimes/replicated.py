"""The runtime manager of one replica among several (``CLOUDBOOK_REPLICA_URL`` set).

It holds its own runtimes as :class:`RuntimeManager` does, and answers for the others'
through the store (:mod:`cloudbook.runtimes.replicas`): a notebook attached through
another replica keeps that runtime; a runtime held by a live replica comes back with
``held_by`` set (kernel WebSockets are forwarded there) and, when the provider can reach
it from here (``reconnect``: JupyterHub), a usable ``Runtime`` for REST calls; a dead
replica's runtimes are adopted, by the heartbeat loop or by the first request that needs
one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from cloudbook.runtimes.managed import ManagedRuntime, OnNoGpu, Queued
from cloudbook.runtimes.manager import RuntimeManager
from cloudbook.runtimes.provider import Runtime
from cloudbook.runtimes.replicas import Located, ReplicaDirectory
from cloudbook.runtimes.runtime_types import CPU, RuntimeType
from cloudbook.services.errors import NotFound, Unavailable
from cloudbook.services.identity import UserInfo

log = logging.getLogger("cloudbook.runtimes")


class ReplicatedRuntimeManager(RuntimeManager):
    def __init__(self, *args: Any, replicas: ReplicaDirectory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replicas = replicas
        self._adopting = asyncio.Lock()

    async def start(self) -> None:
        await self.replicas.register()
        await super().start()
        self._spawn(self._beat_forever())

    async def shutdown(self) -> None:
        await super().shutdown()
        with contextlib.suppress(Exception):
            await self.replicas.leave()

    async def reclaim_orphans(self) -> None:
        """A replica restarted at the same URL takes back the cluster runtimes it left
        (they outlived it); local ones are reclaimed as by a single instance."""
        if getattr(self.provider, "reconnect", None) is None:
            await super().reclaim_orphans()
            return
        for runtime_id in await self.replicas.held_here():
            located = await self.replicas.find(runtime_id)
            if located is not None:
                await self.adopt_record(located)

    # --- heartbeat and adoption -----------------------------------------------------

    async def _beat_forever(self) -> None:
        while True:
            try:
                await self.heartbeat()
            except Exception:
                log.exception("replica heartbeat failed")
            await asyncio.sleep(self.replicas.heartbeat_interval)

    async def heartbeat(self) -> None:
        if not await self.replicas.beat():
            # Declared dead while we were away: what another replica adopted is its now.
            held = await self.replicas.held_here()
            for runtime_id in [r for r in self._assigned if r not in held]:
                self._assigned.pop(runtime_id, None)
                log.warning("runtime %s was adopted by another replica", runtime_id)
        for dead in await self.replicas.dead():
            await self.adopt_replica(dead)

    async def adopt_replica(self, replica_id: str) -> int:
        async with self._adopting:
            found = await self.replicas.claim(replica_id)
            adopted = 0
            for located in found:
                adopted += await self.adopt_record(located)
        if found:
            log.info(
                "adopted %d of %d runtime(s) of dead replica %s", adopted, len(found), replica_id
            )
        return adopted

    def _reachable(self, located: Located) -> Runtime | None:
        reconnect = getattr(self.provider, "reconnect", None)
        if reconnect is None or located.provider != self.provider.name:
            return None
        runtime: Runtime = reconnect(located.runtime_id, located.url)
        return runtime

    async def adopt_record(self, located: Located) -> int:
        """Hold a dead replica's runtime from now on; 1 when adopted. A runtime this
        replica cannot reach (a process of the dead replica's machine) is forgotten."""
        runtime = self._reachable(located)
        if runtime is None or located.owner_id is None or located.kernel_id is None:
            if runtime is not None:
                with contextlib.suppress(Exception):
                    await self.provider.stop(runtime)  # a warm one: nobody's work in it
            await self._forget(located.runtime_id)
            return 0
        status = await self.provider.status(runtime)
        if status.state not in ("running", "starting"):
            await self._forget(located.runtime_id)
            return 0
        self._assigned[located.runtime_id] = self._managed(located, runtime, held_by=None)
        return 1

    def _managed(self, located: Located, runtime: Runtime, held_by: str | None) -> ManagedRuntime:
        rtype = RuntimeType(
            "gpu" if located.accelerator == "gpu" else "none",
            located.gpu_type,
            "highmem" if located.shape == "highmem" else "standard",
        )
        return ManagedRuntime(
            runtime=runtime,
            kernel_id=located.kernel_id or "",
            owner_id=located.owner_id,
            notebook_id=located.notebook_id,
            rtype=rtype,
            held_by=held_by,
        )

    async def _resolve(self, located: Located | None, user: UserInfo) -> ManagedRuntime | None:
        if located is None or located.owner_id != user.id or located.kernel_id is None:
            return None
        if located.holder == self.replicas.id:
            return self._assigned.get(located.runtime_id)
        if not located.alive and located.holder_url is not None:
            await self.adopt_replica(located.holder)
            return self._assigned.get(located.runtime_id)
        if located.holder_url is None:
            return None  # a single instance's record: not ours to serve
        runtime = self._reachable(located) or Runtime(
            runtime_id=located.runtime_id, url=located.url, token="", sandboxed=False
        )
        return self._managed(located, runtime, held_by=located.holder_url)

    async def forward_target(self, runtime_id: str, *, direct_ok: bool = True) -> str | None:
        """The URL of the live replica to pass a REST request for this runtime to, or None
        to serve it here (held here, unknown, dead holder: adopted on the way, or reached
        directly through the provider when ``direct_ok``)."""
        if runtime_id in self._assigned:
            return None
        located = await self.replicas.find(runtime_id)
        if (
            located is None
            or located.holder == self.replicas.id
            or not located.alive
            or located.holder_url is None
        ):
            return None
        if direct_ok and self._reachable(located) is not None:
            return None
        return located.holder_url

    def reaches_directly(self, managed: ManagedRuntime) -> bool:
        return managed.held_by is None or bool(managed.runtime.token)

    # --- lookups that see the other replicas -----------------------------------------

    async def locate(self, user: UserInfo, runtime_id: str) -> ManagedRuntime:
        local = self._assigned.get(runtime_id)
        if local is not None and local.owner_id == user.id:
            return local
        found = await self._resolve(await self.replicas.find(runtime_id), user)
        if found is None:
            raise NotFound("No such runtime.", code="no_such_runtime")
        return found

    async def session_of(self, user: UserInfo, notebook_id: str) -> ManagedRuntime | None:
        local = self.for_notebook(user, notebook_id)
        if local is not None:
            return local
        return await self._resolve(
            await self.replicas.find_for_notebook(user.id, notebook_id), user
        )

    async def attach(
        self,
        user: UserInfo,
        notebook_id: str,
        rtype: RuntimeType = CPU,
        on_no_gpu: OnNoGpu = "fail",
    ) -> ManagedRuntime | Queued:
        elsewhere = await self.session_of(user, notebook_id)
        if elsewhere is not None:
            return elsewhere
        return await super().attach(user, notebook_id, rtype, on_no_gpu)

    async def delete(self, user: UserInfo, runtime_id: str) -> None:
        managed = await self.locate(user, runtime_id)
        if managed.held_by is None:
            await super().delete(user, runtime_id)
            return
        if not self.reaches_directly(managed):
            raise Unavailable(
                "This runtime is held by another replica that cannot be reached.",
                code="runtime_elsewhere",
            )
        # The holder's sweep finds it gone and drops it.
        await self.audit_stop(managed, "user", user)
        await self.provider.stop(managed.runtime)
        await self._forget(runtime_id)

    async def detach_notebook(self, user: UserInfo, notebook_id: str) -> None:
        managed = await self.session_of(user, notebook_id)
        if managed is not None and managed.held_by is not None:
            self.leave_queue(user, notebook_id)
            await self.delete(user, managed.id)
            return
        await super().detach_notebook(user, notebook_id)
