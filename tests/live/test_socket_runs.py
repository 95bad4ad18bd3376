"""Run from a page: a RUN message on its live-document socket (cloudbook.live.socket_runs),
on a live service with a real runtime."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from jupyter_ydoc import YNotebook
from pycrdt import Doc, Provider
from websockets.asyncio.client import connect

from cloudbook.live.socket_runs import RUN, RUN_REPLY
from cloudbook.settings import Settings
from tests.live.api import create, saved_cell, stdout
from tests.server.live import LiveServer, live_server
from tests.server.ydoc_client import Peer, _Channel


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 1
    settings.live_documents = True
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server


class _Replies(_Channel):
    """The page's socket: Yjs messages go to the provider, RUN_REPLYs to a queue."""

    def __init__(self, ws: Any, path: str) -> None:
        super().__init__(ws, path)
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def recv(self) -> bytes:
        while True:
            message = await super().recv()
            if message[:1] == bytes([RUN_REPLY]):
                self.replies.put_nowait(json.loads(message[1:]))
                continue
            return message


@asynccontextmanager
async def page(server: LiveServer, nb: str, token: str) -> AsyncIterator[tuple[Peer, _Replies]]:
    url = f"{server.ws_base}/api/notebooks/{nb}/live"
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        doc: Doc[Any] = Doc()
        notebook = YNotebook(doc)
        changed = asyncio.Event()
        doc.observe(lambda _e: changed.set())
        channel = _Replies(ws, url)
        async with Provider(doc, channel) as provider:
            await provider.synced.wait()
            yield Peer(doc=doc, notebook=notebook, ws=ws, _changed=changed), channel


def _cell(peer: Peer, cell_id: str) -> Any:
    return next(c for c in peer.notebook.ycells if c["id"] == cell_id)


async def test_a_run_message_runs_the_source_typed_just_before_it(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(http, {"a": "print('old')", "b": "1"})
        async with page(live, nb, token) as (peer, channel):
            # Typed and then run at once: the edit and the RUN leave on the same socket.
            source = _cell(peer, "a")["source"]
            source.clear()
            source += "print('typed', 6 * 7)"
            run = {"id": 3, "cell_ids": ["a", "b", "nope"], "client_id": peer.doc.client_id}
            await peer.ws.send(bytes([RUN]) + json.dumps(run).encode())
            assert await asyncio.wait_for(channel.replies.get(), 60) == {
                "id": 3,
                "queued": ["a", "b"],
            }
            await peer.until(lambda: _cell(peer, "b")["execution_count"] is not None, 90)
            await peer.until(lambda: _cell(peer, "b")["execution_state"] == "idle")
            assert _cell(peer, "b")["outputs"][0]["data"] == {"text/plain": "1"}
        cell = await saved_cell(http, nb, "a", lambda c: c["outputs"])
    assert stdout(cell) == "typed 42\n"
    assert cell["metadata"]["executionInfo"]["user"]["displayName"] == "alice"


async def test_bad_run_messages_get_an_error_and_change_nothing(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(http, {"a": "1"})
        async with page(live, nb, token) as (peer, channel):
            bad = [
                b"not json",
                b"[1]",
                json.dumps({"cell_ids": ["a"]}).encode(),  # no id
                json.dumps({"id": 1, "cell_ids": []}).encode(),
                json.dumps({"id": 2, "cell_ids": ["a"], "extra": 1}).encode(),
                json.dumps({"id": 3, "cell_ids": ["a" * 300]}).encode(),
            ]
            for body in bad:
                await peer.ws.send(bytes([RUN]) + body)
            replies = [await asyncio.wait_for(channel.replies.get(), 30) for _ in bad]
            codes = [(r["id"], r["error"]["status"], r["error"]["code"]) for r in replies]
            assert codes == [
                (None, 400, "invalid_input"),
                (None, 400, "invalid_input"),
                (None, 400, "invalid_input"),
                (1, 400, "invalid_input"),
                (2, 400, "invalid_input"),
                (3, 404, "no_such_cell"),
            ]
            # The socket still serves the document, and nothing ran.
            assert _cell(peer, "a")["execution_state"] == "idle"
            r = await http.get(f"/api/notebooks/{nb}/execution")
            assert r.json() == {"running": None, "queued": [], "requests": {}}
