"""A minimal registry of live documents, with the interface of cloudbook.live.documents.

Stand-in until the shared-document part (pages as Yjs views, the y-websocket room,
coalesced revisions) is merged: it holds a ``jupyter_ydoc`` notebook per open notebook
and saves the ``.ipynb`` from it through ``NotebookService.save`` (debounced, on the last
release, at shutdown), which is all the executor needs. The merged part replaces it
(``Services.live``); nothing else imports this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from cloudbook.services.errors import Conflict
from cloudbook.services.identity import UserInfo

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook
    from pycrdt import Doc

    from cloudbook.services.notebooks import NotebookService

log = logging.getLogger("cloudbook.live")


class StandInDocument:
    def __init__(
        self, registry: StandInDocuments, notebook_id: str, owner: UserInfo, revision: int
    ) -> None:
        from jupyter_ydoc import YNotebook
        from pycrdt import Doc

        self.notebook_id = notebook_id
        self.owner = owner
        self.revision = revision
        self.ydoc: Doc[Any] = Doc()
        self.ynotebook: YNotebook = YNotebook(self.ydoc)
        self.holders = 0
        self.closed = False
        self._registry = registry
        self._dirty = False
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def changed(self) -> None:
        self._dirty = True
        if self.closed or self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._registry.save_delay, self._save_soon)

    def _save_soon(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._autosave())

    async def _autosave(self) -> None:
        try:
            await self.save()
        except Exception:
            log.exception("saving live notebook %s failed", self.notebook_id)

    async def save(self, pin: bool = False) -> None:
        async with self._lock:
            if not self._dirty and not pin:
                return
            self._dirty = False
            content: dict[str, Any] = self.ynotebook.get()
            notebooks = self._registry.notebooks
            try:
                info = await notebooks.save(self.owner, self.notebook_id, content, self.revision)
            except Conflict:
                current = await notebooks.get_info(self.owner, self.notebook_id)
                info = await notebooks.save(self.owner, self.notebook_id, content, current.revision)
            self.revision = info.revision

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            await self.save()
        finally:
            self.closed = True


class StandInDocuments:
    def __init__(self, notebooks: NotebookService, *, save_delay: float = 1.0) -> None:
        self.notebooks = notebooks
        self.save_delay = save_delay
        self._open: dict[str, StandInDocument] = {}
        self._lock = asyncio.Lock()

    def get_open(self, notebook_id: str) -> StandInDocument | None:
        return self._open.get(notebook_id)

    async def open(self, notebook_id: str, user: UserInfo) -> StandInDocument:
        async with self._lock:
            doc = self._open.get(notebook_id)
            if doc is None:
                info, content = await self.notebooks.get(user, notebook_id, mark_opened=False)
                doc = StandInDocument(self, notebook_id, user, info.revision)
                doc.ynotebook.set(content)
                self._open[notebook_id] = doc
            doc.holders += 1
            return doc

    async def release(self, doc: StandInDocument) -> None:
        async with self._lock:
            doc.holders -= 1
            if doc.holders > 0 or doc.closed:
                return
            if self._open.get(doc.notebook_id) is doc:
                del self._open[doc.notebook_id]
            await doc.close()

    async def close_all(self) -> None:
        docs = list(self._open.values())
        self._open.clear()
        for doc in docs:
            with contextlib.suppress(Exception):
                await doc.close()
