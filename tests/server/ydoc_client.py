"""A y-websocket client in Python (pycrdt's Provider over a `websockets` connection), as
a second page would be: it edits the notebook's shared document and sees others' edits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from jupyter_ydoc import YNotebook
from pycrdt import Doc, Provider
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


class _Channel:
    def __init__(self, ws: ClientConnection, path: str) -> None:
        self._ws = ws
        self._path = path

    @property
    def path(self) -> str:
        return self._path

    def __aiter__(self) -> _Channel:
        return self

    async def __anext__(self) -> bytes:
        return await self.recv()

    async def send(self, message: bytes) -> None:
        try:
            await self._ws.send(message)
        except ConnectionClosed:
            pass

    async def recv(self) -> bytes:
        try:
            message = await self._ws.recv()
        except ConnectionClosed:
            raise StopAsyncIteration from None
        return message if isinstance(message, bytes) else message.encode()


@dataclass
class Peer:
    doc: Doc[Any]
    notebook: YNotebook
    ws: ClientConnection
    _changed: asyncio.Event

    async def until(self, condition: Callable[[], bool], timeout: float = 30) -> None:
        """Wait for changes to the document until `condition` holds."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def source(self, index: int) -> str:
        return str(self.notebook.ycells[index]["source"])


@asynccontextmanager
async def peer(
    ws_base: str, notebook_id: str, token: str, origin: str | None = None
) -> AsyncIterator[Peer]:
    headers = {"Authorization": f"Bearer {token}"}
    if origin is not None:
        headers["Origin"] = origin
    url = f"{ws_base}/api/notebooks/{notebook_id}/live"
    async with connect(url, additional_headers=headers) as ws:
        doc: Doc[Any] = Doc()
        notebook = YNotebook(doc)
        changed = asyncio.Event()
        doc.observe(lambda _e: changed.set())
        async with Provider(doc, _Channel(ws, url)) as provider:
            await provider.synced.wait()
            yield Peer(doc=doc, notebook=notebook, ws=ws, _changed=changed)
