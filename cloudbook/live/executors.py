"""The executors of open notebooks: one per notebook, bound to its document and kernel.

While an executor has cells to run it holds the notebook's live document open (so the
document outlives every tab and keeps being saved) and marks the runtime as used (the
idle reaper leaves it alone). When its queue drains it lets go of both; it stays
connected while the same document is open, so the next run costs no new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cloudbook.live.executor import NotebookExecutor, Requester
from cloudbook.live.spill import SpillFiles
from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL
from cloudbook.services.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from cloudbook.live.executor import ExecutableDocument
    from cloudbook.live.pending import PendingRequest
    from cloudbook.runtimes.manager import ManagedRuntime
    from cloudbook.server.kernel_proxy import KernelProxyHub
    from cloudbook.services.identity import UserInfo

log = logging.getLogger("cloudbook.live")

CALLBACK_MAX_BYTES = 32 * 1024 * 1024  # when the service runs without output caps


class DocumentRegistry(Protocol):
    """cloudbook.live.documents.LiveDocuments (or its stand-in)."""

    async def open(self, notebook_id: str, user: UserInfo) -> Any: ...

    def hold(self, doc: Any) -> bool: ...

    async def release(self, doc: Any) -> None: ...

    async def close_all(self) -> None: ...


@dataclass
class _Entry:
    executor: NotebookExecutor
    document: ExecutableDocument
    runtime_id: str
    holding: bool = False


class LiveExecutors:
    def __init__(
        self,
        documents: DocumentRegistry,
        hub: KernelProxyHub,
        spill_root: Path,
        *,
        stream_max_bytes: int = 2 * 1024 * 1024,
    ) -> None:
        self.documents = documents
        self.hub = hub
        self.spill_root = spill_root
        self.stream_max_bytes = stream_max_bytes
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def kernel_restarted(self, runtime_id: str, kernel_id: str) -> None:
        """The service restarted this kernel: its runs end and its executors reconnect."""
        for entry in self._entries.values():
            if entry.runtime_id == runtime_id and entry.executor.kernel_id == kernel_id:
                entry.executor.kernel_restarted()

    def get(self, notebook_id: str) -> NotebookExecutor | None:
        entry = self._entries.get(notebook_id)
        return entry.executor if entry is not None and not entry.executor.closed else None

    async def run(
        self,
        managed: ManagedRuntime,
        user: UserInfo,
        notebook_id: str,
        cell_ids: list[str],
        requester: Requester,
        sources: dict[str, str] | None = None,
    ) -> list[str]:
        """Queue cells on the notebook's executor (started or replaced as needed)."""
        entry = self._entries.get(notebook_id)
        lock = self._locks.setdefault(notebook_id, asyncio.Lock())
        if (
            entry is not None
            and not lock.locked()
            and self._current(entry, entry.document, managed)
        ):
            # The common case, without awaiting anything: the executor is connected to this
            # runtime and its document is still open (a page holds it).
            if entry.holding or self.documents.hold(entry.document):
                if not entry.holding:
                    entry.holding = True
                    self.hub.hold(entry.runtime_id)
                queued = entry.executor.enqueue(cell_ids, requester, sources)
                if not entry.executor.busy:
                    await self._let_go(entry)
                return queued
        async with lock:
            doc = await self.documents.open(notebook_id, user)
            try:
                entry = await self._entry_for(notebook_id, doc, managed)
            except BaseException:
                await self.documents.release(doc)
                raise
            if entry.holding:
                await self.documents.release(doc)  # one hold per busy spell is enough
            else:
                entry.holding = True
                self.hub.hold(entry.runtime_id)
            queued = entry.executor.enqueue(cell_ids, requester, sources)
            if not entry.executor.busy:
                await self._let_go(entry)
            return queued

    def pending(self, notebook_id: str, request_id: str, user: UserInfo) -> PendingRequest:
        """A question waiting for ``user``'s answer (404 unknown, 403 someone else's)."""
        executor = self.get(notebook_id)
        request = executor.request_of(request_id) if executor is not None else None
        if request is None:
            raise NotFound("Nothing waits for this answer.", code="no_such_request")
        if request.user_id != user.id:
            raise Forbidden("Only who ran the cell answers it.", code="not_your_request")
        return request

    async def answer(self, notebook_id: str, request_id: str, user: UserInfo, value: Any) -> None:
        self.pending(notebook_id, request_id, user)
        executor = self.get(notebook_id)
        if executor is None or not await executor.answer(request_id, value):
            raise NotFound("Nothing waits for this answer.", code="no_such_request")

    async def close_all(self) -> None:
        """Stop every executor (shutdown): what arrived is in the documents, then saved."""
        entries = list(self._entries.values())
        self._entries.clear()
        for entry in entries:
            await entry.executor.close()
            await self._let_go(entry)
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # --- helpers ------------------------------------------------------------------------

    async def _entry_for(
        self, notebook_id: str, doc: ExecutableDocument, managed: ManagedRuntime
    ) -> _Entry:
        entry = self._entries.get(notebook_id)
        if entry is not None and self._current(entry, doc, managed):
            return entry
        if entry is not None:
            await entry.executor.close()
            await self._let_go(entry)
        runtime_id = managed.id
        executor = NotebookExecutor(
            doc,
            managed.runtime,
            managed.kernel_id,
            spills=SpillFiles(self.spill_root, notebook_id),
            stream_max_bytes=self.stream_max_bytes,
            on_activity=lambda: self.hub.touch(runtime_id),
            on_idle=lambda: self._spawn(self._idle(notebook_id)),
            output_cap=cap.apply if (cap := self.hub.output_cap(V1_SUBPROTOCOL)) else None,
            # What widget callbacks may add to a cell: the same cap as one run's output.
            callback_max_bytes=self.hub.output_cell_bytes or CALLBACK_MAX_BYTES,
        )
        await executor.start()
        entry = self._entries[notebook_id] = _Entry(executor, doc, runtime_id)
        return entry

    @staticmethod
    def _current(entry: _Entry, doc: Any, managed: ManagedRuntime) -> bool:
        """The entry's executor serves this document and the runtime's current kernel."""
        executor = entry.executor
        return (
            executor.usable
            and entry.document is doc
            and entry.runtime_id == managed.id
            and executor.kernel_id == managed.kernel_id
        )

    async def _idle(self, notebook_id: str) -> None:
        lock = self._locks.setdefault(notebook_id, asyncio.Lock())
        async with lock:
            entry = self._entries.get(notebook_id)
            if entry is not None and not entry.executor.busy:
                await self._let_go(entry)

    async def _let_go(self, entry: _Entry) -> None:
        if not entry.holding:
            return
        entry.holding = False
        self.hub.unhold(entry.runtime_id)
        with contextlib.suppress(Exception):
            await self.documents.release(entry.document)
        if getattr(entry.document, "closed", False):
            # No page holds the document either: it was saved and closed. The next run
            # opens it afresh (and a new executor), so this one's connection can go.
            for notebook_id, held in list(self._entries.items()):
                if held is entry:
                    del self._entries[notebook_id]
            await entry.executor.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
