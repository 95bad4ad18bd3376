"""Notebooks waiting for a GPU. Each has a ticket whose task waits for a device
(:class:`GpuAllocator` keeps the order) and then starts the notebook's runtime; the page
asks for its place in line every few seconds, and a ticket nobody asked about for a
while (a closed tab) leaves the line."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from cloudbook.runtimes.gpu_allocator import GpuAllocator
from cloudbook.runtimes.gpus import Gpu
from cloudbook.runtimes.managed import Queued
from cloudbook.runtimes.runtime_types import RuntimeType
from cloudbook.services.errors import ServiceError, Unavailable

StartWith = Callable[[Gpu], Awaitable[object]]


@dataclass
class _Ticket:
    owner_id: int
    runtime_id: str
    rtype: RuntimeType
    task: asyncio.Task[None] | None = None
    error: str | None = None
    seen: float = field(default_factory=time.monotonic)


class GpuLine:
    def __init__(self, gpus: GpuAllocator, tasks: set[asyncio.Task[object]]) -> None:
        self.gpus = gpus
        self._tasks = tasks  # the manager's, so that shutdown cancels waiting tickets too
        self._tickets: dict[str, _Ticket] = {}  # notebook id -> ticket

    def enqueue(
        self, owner_id: int, notebook_id: str, rtype: RuntimeType, runtime_id: str, start: StartWith
    ) -> Queued:
        ticket = _Ticket(owner_id=owner_id, runtime_id=runtime_id, rtype=rtype)
        self._tickets[notebook_id] = ticket
        ticket.task = asyncio.get_running_loop().create_task(self._wait(notebook_id, ticket, start))
        self._tasks.add(ticket.task)
        ticket.task.add_done_callback(self._tasks.discard)
        queued = self.queued(owner_id, notebook_id)
        assert queued is not None
        return queued

    async def _wait(self, notebook_id: str, ticket: _Ticket, start: StartWith) -> None:
        gpu = await self.gpus.acquire(ticket.runtime_id, ticket.rtype.gpu_type)
        try:
            await start(gpu)
        except Exception as exc:
            self.gpus.release(ticket.runtime_id)
            ticket.error = exc.message if isinstance(exc, ServiceError) else "Could not start."
            return
        except BaseException:
            self.gpus.release(ticket.runtime_id)
            raise
        self._tickets.pop(notebook_id, None)

    def queued(self, owner_id: int, notebook_id: str) -> Queued | None:
        """The notebook's place in line; raises its start error once, if it failed."""
        ticket = self._tickets.get(notebook_id)
        if ticket is None or ticket.owner_id != owner_id:
            return None
        ticket.seen = time.monotonic()
        if ticket.error is not None:
            self._tickets.pop(notebook_id, None)
            raise Unavailable(ticket.error, code="runtime_start_failed")
        position = self.gpus.position(ticket.runtime_id)
        return Queued(position=position or 1, gpu_type=ticket.rtype.gpu_type)

    def count_of(self, owner_id: int) -> int:
        """Tickets of one user still waiting (a failed one no longer holds a place)."""
        return sum(1 for t in self._tickets.values() if t.owner_id == owner_id and not t.error)

    def leave(self, owner_id: int, notebook_id: str) -> bool:
        ticket = self._tickets.get(notebook_id)
        if ticket is None or ticket.owner_id != owner_id:
            return False
        self._tickets.pop(notebook_id, None)
        if ticket.task is not None:
            ticket.task.cancel()
        return True

    def drop_unwatched(self, max_age: float) -> int:
        """Tickets nobody asked about for ``max_age`` seconds (the tab was closed) leave."""
        now = time.monotonic()
        stale = [
            (nb, t) for nb, t in self._tickets.items() if now - t.seen > max_age and not t.error
        ]
        for notebook_id, ticket in stale:
            self.leave(ticket.owner_id, notebook_id)
        return len(stale)
