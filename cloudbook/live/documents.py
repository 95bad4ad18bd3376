"""The registry of open notebooks and the live document of each.

A `LiveDocument` is a pycrdt `Doc` in the `jupyter_ydoc` notebook schema, served to pages
by a pycrdt-websocket `YRoom` (y-websocket protocol: sync and awareness). The service
saves the `.ipynb` from it through `NotebookService.save`, the same atomic, conditional
save API clients use: at most `save_delay` seconds after the first unsaved change, when
the last holder lets go, and at shutdown. Autosaves fold into the newest revision for
five minutes ("coalesce"); an explicit save pins one.

Holders: every connected page, and whatever else needs the document kept open (the
executor while a cell runs). `open()` takes a hold, `release()` gives it back.

Reached as `services.live` (see cloudbook/server/state.py); None when the setting
`CLOUDBOOK_LIVE_DOCUMENTS` is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cloudbook.live.access import may_edit_live
from cloudbook.live.content_cache import ContentCache
from cloudbook.services.errors import Conflict, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.notebooks import NotebookInfo, SaveMode

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook
    from pycrdt import Doc
    from pycrdt.websocket import YRoom

    from cloudbook.services.notebooks import NotebookService

log = logging.getLogger("cloudbook.live")

# cloudbook's own message types on the y-websocket connection (y-websocket uses 0-3;
# 101 and 102 are runs, cloudbook/live/socket_runs.py).
SAVE_AND_PIN = b"\x64"
# Page → service: 103 + any bytes, answered with the same message once every edit the page
# sent before it is in the document (the page's flush waits for it before a route reads
# the file: a copy, an export).
FLUSHED = b"\x67"
# Service → page, first on each connection: 104 + the document's session id (ASCII).
SESSION = b"\x68"
# The close code for a page that names another session (it holds a copy of a document this
# service no longer has: a restart, or a reload after it closed). Merging that copy into
# the new document would double every cell; the page starts afresh instead. In y-websocket's
# 4400-4499 range ("do not reconnect").
CLOSE_STALE_DOCUMENT = 4409


def _content_key(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


class Built:
    """A document built from a notebook's content, off the event loop (`build`)."""

    def __init__(self, ydoc: Doc[Any], ynotebook: YNotebook, first_sync: bytes) -> None:
        self.ydoc, self.ynotebook, self.first_sync = ydoc, ynotebook, first_sync


def build(content: dict[str, Any]) -> Built:
    """The document of `content` and the y-websocket reply to a page that has nothing yet
    (its whole state). Runs in a thread: for 500 cells with 5 MB of output this is 0.1-0.5 s
    of work the event loop would otherwise spend while the opening page waits on it."""
    from jupyter_ydoc import YNotebook
    from pycrdt import Doc, YMessageType, YSyncMessageType, write_message

    ydoc: Doc[Any] = Doc()
    ynotebook = YNotebook(ydoc)
    ynotebook.set(content)
    step2 = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2])
    return Built(ydoc, ynotebook, step2 + write_message(ydoc.get_update()))


# A page's first sync request: y-websocket SYNC (0), STEP1 (0), an empty state vector.
_EMPTY_STEP1 = b"\x00\x00\x01\x00"


class LiveDocument:
    def __init__(
        self,
        registry: LiveDocuments,
        notebook_id: str,
        owner: UserInfo,
        info: NotebookInfo,
        built: Built,
    ) -> None:
        from pycrdt.websocket import YRoom

        self.notebook_id = notebook_id
        # New with each load: a page that synced with another load of the notebook (before
        # a restart, or before the document last closed) holds Yjs items of a document
        # that is gone, and must not merge them into this one (routes/live.py).
        self.session = secrets.token_urlsafe(12)
        self.owner = owner
        self.revision = info.revision  # the file's revision the document last matched
        self.ydoc = built.ydoc
        self.ynotebook = built.ynotebook
        # Saves convert only the cells changed since the last one (content_cache.py).
        self.content = ContentCache(self.ynotebook)
        # The key of the content last saved, None while it is the file as loaded: reading
        # a 500-cell document back and serialising it costs more than loading it, on the
        # event loop, while the page that opened it waits for its sync. `_touched` tells
        # cheaply whether anything happened since (not the state vector: a deletion alone
        # leaves it as it was).
        self._saved_key: str | None = None
        # The revision this load of the document wrote last: autosaves fold only into it,
        # never into a revision someone else made (the notebook as created, uploaded,
        # saved by an API client or restored stays in the history).
        self._own_revision: int | None = None
        self._touched = False
        # The reply to a page with an empty document, until the first change: the opening
        # page's sync is then not a 5 MB encode on the event loop.
        self._first_sync: bytes | None = built.first_sync
        self.room: YRoom = YRoom(ready=True, ydoc=self.ydoc, exception_handler=_log_room_error)
        self.room.on_message_error = _skip_bad_message
        self.room.on_message = self._own_message
        self.holders = 0
        self.closed = False
        self.linger_timer: asyncio.TimerHandle | None = None
        self._registry = registry
        self._timer: asyncio.TimerHandle | None = None
        self._save_lock = asyncio.Lock()
        self._pending: asyncio.Task[None] | None = None
        self._pin_task: asyncio.Task[None] | None = None
        self._room_task: asyncio.Task[None] | None = None
        self._subscription = self.ydoc.observe(lambda _event: self.changed())

    async def start(self) -> None:
        self._room_task = asyncio.create_task(self.room.start())
        await self.room.started.wait()

    async def serve(self, channel: Any) -> None:
        """Serve one page until it goes (pycrdt `Channel`: path, send, async iteration)."""
        await self.room.serve(channel)

    def first_sync(self, message: bytes) -> bytes | None:
        """The cached reply to `message` when it is a page's first sync request and the
        document did not change since it was built; None otherwise (the room answers)."""
        return self._first_sync if message == _EMPTY_STEP1 else None

    def _own_message(self, message: bytes) -> bool:
        """cloudbook's own messages on the y-websocket connection. Arriving on the same
        connection as the edits, a pin comes after every edit the page sent before it."""
        if message[:1] == SAVE_AND_PIN:
            self._pin_task = asyncio.create_task(self._pin())
            return True
        return False

    async def _pin(self) -> None:
        try:
            await self.save(pin=True)
        except Exception:
            log.exception("pinning live notebook %s failed", self.notebook_id)

    def changed(self) -> None:
        """Something changed: save within `save_delay` seconds (not pushed back by further
        changes, so steady typing still reaches the disk)."""
        self._touched = True
        self._first_sync = None
        if self.closed or self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._registry.save_delay, self._save_soon)

    def _save_soon(self) -> None:
        self._timer = None
        self._pending = asyncio.create_task(self._autosave())

    async def _autosave(self) -> None:
        try:
            await self.save()
        except Exception:
            log.exception("saving live notebook %s failed", self.notebook_id)

    async def save(self, pin: bool = False) -> NotebookInfo | None:
        """Write the .ipynb from the document when it differs from the last save (always
        when `pin`: the newest revision is then pinned). Returns the saved file's info."""
        async with self._save_lock:
            return await self._save_locked("pin" if pin else "coalesce")

    async def _save_locked(self, mode: SaveMode) -> NotebookInfo | None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._saved_key is None and not self._touched:
            if mode != "pin":
                return None  # nothing happened since it was loaded
            # Pinned as loaded: the file's revision holds this content; pin it, no copy.
            info = await self._registry.notebooks.pin_newest(self.owner, self.notebook_id)
            self._announce(info, pinned=True)
            return info
        content = self.content.get()
        key = _content_key(content)
        if key == self._saved_key and mode != "pin":
            return None
        notebooks = self._registry.notebooks
        own = self._own_revision == self.revision
        try:
            info = await notebooks.save(
                self.owner, self.notebook_id, content, self.revision, mode=mode if own else "new"
            )
            if mode == "pin" and not own:
                info = await notebooks.pin_newest(self.owner, self.notebook_id)
        except Conflict:
            # The file was written past the document (another process): the document is
            # what people see and wins, and the other write stays in the history.
            current = await notebooks.get_info(self.owner, self.notebook_id)
            log.warning("live notebook %s: file changed outside; saving over it", self.notebook_id)
            info = await notebooks.save(
                self.owner, self.notebook_id, content, current.revision, mode="new"
            )
        self.revision = self._own_revision = info.revision
        self._saved_key = key
        self._announce(info, pinned=mode == "pin")
        return info

    def _announce(self, info: NotebookInfo, *, pinned: bool = False) -> None:
        """Pages show "Saved" from the document's state map (not part of the file)."""
        state = self.ynotebook.ystate
        with self.ydoc.transaction():
            state["savedRevision"] = info.revision
            if pinned:
                state["pinnedRevision"] = info.revision

    async def replace(self, write: Callable[[], Awaitable[NotebookInfo]]) -> NotebookInfo:
        """A write from outside the document (an API PUT, a restore). Pending edits are
        saved first, so a writer whose base revision predates them gets 409; then `write`
        writes the file and the document takes the file's content, merged cell by cell
        (cells keep their ids, so pages keep their cursors in cells that did not change)."""
        async with self._save_lock:
            await self._save_locked("coalesce")
            info = await write()
            _, content = await self._registry.notebooks.get(
                self.owner, self.notebook_id, mark_opened=False
            )
            self.ynotebook.set(content)
            self.revision = info.revision
            self._saved_key = _content_key(self.content.get())
            self._announce(info)
            return info

    async def flush(self) -> None:
        """Bring the file up to date with the document (before an API read)."""
        await self.save()

    async def close(self) -> None:
        if self.closed:
            return
        try:
            await self.save()
        finally:
            self.closed = True
            if self.linger_timer is not None:
                self.linger_timer.cancel()
                self.linger_timer = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            with contextlib.suppress(Exception):
                self.ydoc.unobserve(self._subscription)
            with contextlib.suppress(Exception):
                self.content.close()
            with contextlib.suppress(RuntimeError):
                await self.room.stop()
            if self._room_task is not None:
                self._room_task.cancel()
                with contextlib.suppress(BaseException):
                    await self._room_task
            # YRoom.stop leaves its update stream open (a ResourceWarning at collection).
            for stream in ("_update_send_stream", "_update_receive_stream"):
                with contextlib.suppress(AttributeError):
                    getattr(self.room, stream).close()


def _log_room_error(exc: Exception, logger: logging.Logger) -> bool:
    logger.warning("live document room error: %s", type(exc).__name__)
    return True


def _skip_bad_message(exc: Exception, _message: bytes, _channel: Any) -> bool:
    # A malformed update from one page must not stop the document for everyone.
    log.warning("live document: a message was refused (%s)", type(exc).__name__)
    return True


class LiveDocuments:
    def __init__(
        self, notebooks: NotebookService, *, save_delay: float = 2.0, linger: float = 30.0
    ) -> None:
        self.notebooks = notebooks
        self.save_delay = save_delay
        self.linger = linger
        self._closing: set[asyncio.Task[None]] = set()
        self._open: dict[str, LiveDocument] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def get_open(self, notebook_id: str) -> LiveDocument | None:
        return self._open.get(notebook_id)

    async def open(
        self,
        notebook_id: str,
        user: UserInfo,
        loaded: tuple[NotebookInfo, dict[str, Any]] | None = None,
    ) -> LiveDocument:
        """The notebook's live document (loaded from the drive if not open), held once
        more: give it back with `release`. NotFound unless `user` may edit it. `loaded`:
        the file's info and content just read (the page's GET), used when the file is
        still at that revision (one read and parse instead of two)."""
        access = await self.notebooks.access_of(notebook_id)
        if access is None or not await may_edit_live(self.notebooks.access, user, notebook_id):
            raise NotFound("No such notebook.", code="no_such_notebook")
        lock = self._locks.setdefault(notebook_id, asyncio.Lock())
        async with lock:
            doc = self._open.get(notebook_id)
            if doc is None:
                owner = UserInfo(id=access.owner_id, name="", is_admin=False)
                if loaded is not None:
                    current = await self.notebooks.get_info(owner, notebook_id)
                    if current.revision != loaded[0].revision:
                        loaded = None
                info, content = loaded or await self.notebooks.get(owner, notebook_id)
                built = await asyncio.to_thread(build, content)
                doc = LiveDocument(self, notebook_id, owner, info, built)
                await doc.start()
                self._open[notebook_id] = doc
            if doc.linger_timer is not None:
                doc.linger_timer.cancel()
                doc.linger_timer = None
            doc.holders += 1
            return doc

    def hold(self, doc: LiveDocument) -> bool:
        """One hold more on a document still open (False if it closed or is closing): what
        an executor does on each run, without `open`'s loading and access checks (its
        caller checked who asks)."""
        if doc.closed or self._open.get(doc.notebook_id) is not doc:
            return False
        if doc.linger_timer is not None:
            doc.linger_timer.cancel()
            doc.linger_timer = None
        doc.holders += 1
        return True

    async def release(self, doc: LiveDocument) -> None:
        """One holder less. The last one saves at once; the document stays loaded for
        `linger` seconds more (a reload, or a page right behind its GET, finds it warm)."""
        lock = self._locks.setdefault(doc.notebook_id, asyncio.Lock())
        async with lock:
            doc.holders -= 1
            if doc.holders > 0 or doc.closed:
                return
            await doc.save()
            if self.linger > 0:
                loop = asyncio.get_running_loop()
                doc.linger_timer = loop.call_later(self.linger, self._close_idle, doc)
                return
            await self._close_locked(doc)

    def _close_idle(self, doc: LiveDocument) -> None:
        doc.linger_timer = None
        self._closing.add(asyncio.create_task(self._close_if_idle(doc)))

    async def _close_if_idle(self, doc: LiveDocument) -> None:
        lock = self._locks.setdefault(doc.notebook_id, asyncio.Lock())
        async with lock:
            if doc.holders == 0 and not doc.closed:
                await self._close_locked(doc)

    async def _close_locked(self, doc: LiveDocument) -> None:
        try:
            await doc.close()
        finally:
            if self._open.get(doc.notebook_id) is doc:
                del self._open[doc.notebook_id]

    async def prefetch(
        self, notebook_id: str, user: UserInfo, loaded: tuple[NotebookInfo, dict[str, Any]]
    ) -> None:
        """Load the document now (the page's GET, which read `loaded`): its WebSocket, a
        moment later, finds it open instead of waiting for the load. Refusals are the
        caller's to report."""
        try:
            doc = await self.open(notebook_id, user, loaded)
        except NotFound:
            return
        await self.release(doc)

    async def flush(self, notebook_id: str) -> None:
        doc = self._open.get(notebook_id)
        if doc is not None:
            await doc.flush()

    async def forget(self, notebook_id: str) -> None:
        """The notebook is gone (deleted): drop its document without saving."""
        doc = self._open.pop(notebook_id, None)
        if doc is not None:
            doc._saved_key = _content_key(doc.content.get())
            await doc.close()

    async def close_all(self) -> None:
        """Save every open document and stop serving them (shutdown)."""
        docs = list(self._open.values())
        self._open.clear()
        for doc in docs:
            try:
                await doc.close()
            except Exception:
                log.exception("saving live notebook %s at shutdown failed", doc.notebook_id)
