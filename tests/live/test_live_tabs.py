"""Pages as y-websocket peers of the live document while the service runs a cell: closing
every tab changes nothing, reopening shows every output and the live running state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cloudbook.settings import Settings
from tests.live.api import LOOP, create, idle, saved_cell, stdout, until_state
from tests.server.live import LiveServer, live_server
from tests.server.ydoc_client import Peer, peer


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 1
    settings.live_documents = True
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server


def _cell(page: Peer, cell_id: str) -> Any:
    return next(c for c in page.notebook.ycells if c["id"] == cell_id)


def _text(page: Peer, cell_id: str) -> str:
    outputs = _cell(page, cell_id)["outputs"]
    return "".join(str(o["text"]) for o in outputs if o["output_type"] == "stream")


async def test_closing_the_tab_mid_run_loses_nothing(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(http, {"loop": LOOP})
        async with peer(live.ws_base, nb, token) as page:
            r = await http.post(
                f"/api/notebooks/{nb}/execute",
                json={"cell_ids": ["loop"], "client_id": page.doc.client_id},
            )
            assert r.status_code == 202
            await page.until(lambda: _cell(page, "loop")["execution_state"] == "running")
            await page.until(lambda: _text(page, "loop").count("\n") >= 3)
        # No tab: the run goes on; a tab opened later sees it running, then every line.
        await until_state(http, nb, lambda s: s["running"] == "loop")
        async with peer(live.ws_base, nb, token) as again:
            assert _cell(again, "loop")["execution_state"] in ("running", "idle")
            await again.until(lambda: _cell(again, "loop")["execution_state"] == "idle")
            assert _text(again, "loop") == "".join(f"{i}\n" for i in range(20))
            info = _cell(again, "loop")["metadata"]["executionInfo"]
            assert info["status"] == "ok"
        await until_state(http, nb, idle)
        saved = await saved_cell(http, nb, "loop", lambda c: "19\n" in stdout(c))
    assert stdout(saved) == "".join(f"{i}\n" for i in range(20))
