"""Live documents through the y-websocket route: two peers converge, the service saves the
file from the document, API clients' GET/PUT keep working on it, and only the owner (of
the right origin, logged in) may join."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server
from tests.server.ydoc_client import Peer, peer

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.live_documents = True
    settings.live_save_delay = 0.2
    settings.live_linger = 0
    async with live_server(settings) as s:
        yield s


def notebook(*sources: str) -> dict[str, Any]:
    cells = [
        {
            "id": f"cell-{i}",
            "cell_type": "code",
            "source": src,
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
        for i, src in enumerate(sources)
    ]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


async def create(client: httpx.AsyncClient, *sources: str) -> str:
    r = await client.post(
        "/api/notebooks", json={"name": "live.ipynb", "content": notebook(*sources)}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def append(page: Peer, index: int, text: str) -> None:
    source = page.notebook.ycells[index]["source"]
    source.insert(len(source), text)


async def eventually(condition: Callable[[], Any], timeout: float = 30) -> None:
    """Wait until the service has done something it does in the background."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.05)


def file_sources(server: LiveServer, settings: Settings, owner_id: int) -> list[str]:
    raw = (settings.drive_dir / str(owner_id) / "live.ipynb").read_text()
    return ["".join(c["source"]) for c in json.loads(raw)["cells"]]


async def test_two_peers_converge_and_the_service_saves_the_file(
    server: LiveServer, settings: Settings
) -> None:
    token = await server.token_for("alice")
    alice = await server.services.users.get_by_name("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "a = 1", "b = 2")
        async with (
            peer(server.ws_base, nb_id, token) as one,
            peer(server.ws_base, nb_id, token) as two,
        ):
            assert one.source(0) == "a = 1" and two.source(1) == "b = 2"
            append(one, 0, "  # one")
            two.notebook.ycells[0]["source"].insert(0, "# two\n")
            both = "# two\na = 1  # one"
            await one.until(lambda: one.source(0) == both)
            await two.until(lambda: two.source(0) == both)
            # The API reads the file, brought up to date with the document first.
            got = (await api.get(f"/api/notebooks/{nb_id}")).json()
            assert got["content"]["cells"][0]["source"] == both
            append(two, 1, "0")
            await one.until(lambda: one.source(1) == "b = 20")
        # The last page gone, the document is saved and closed.
        await eventually(lambda: _closed(server, nb_id))
        assert file_sources(server, settings, alice.id) == [both, "b = 20"]


async def _closed(server: LiveServer, nb_id: str) -> bool:
    return server.services.live.get_open(nb_id) is None


async def test_put_while_open_updates_the_document_and_a_stale_put_gets_409(
    server: LiveServer,
) -> None:
    token = await server.token_for("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "x = 1")
        base = (await api.get(f"/api/notebooks/{nb_id}")).json()["revision"]
        async with peer(server.ws_base, nb_id, token) as page:
            append(page, 0, "1")
            await eventually(lambda: _saved_past(api, nb_id, base))
            # The API client's edit began before the page's: refused, nothing changes.
            r = await api.put(
                f"/api/notebooks/{nb_id}",
                json={"content": notebook("from the api"), "base_revision": base},
            )
            assert r.status_code == 409 and r.json()["error"]["code"] == "stale_revision"
            assert page.source(0) == "x = 11"
            current = (await api.get(f"/api/notebooks/{nb_id}")).json()
            assert current["content"]["cells"][0]["source"] == "x = 11"
            r = await api.put(
                f"/api/notebooks/{nb_id}",
                json={"content": notebook("from the api"), "base_revision": current["revision"]},
            )
            assert r.status_code == 200, r.text
            await page.until(lambda: page.source(0) == "from the api")


async def _saved_past(api: httpx.AsyncClient, nb_id: str, base: int) -> bool:
    revisions = (await api.get(f"/api/notebooks/{nb_id}/revisions")).json()["revisions"]
    return bool(revisions[0]["revision"] > base)


async def test_autosaves_coalesce_and_a_pin_starts_a_new_revision(server: LiveServer) -> None:
    token = await server.token_for("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "")
        async with peer(server.ws_base, nb_id, token) as page:
            for n in range(12):
                append(page, 0, str(n % 10))
                text = page.source(0)
                await eventually(lambda t=text: _file_has(api, nb_id, t))  # type: ignore[misc]
            listed = (await api.get(f"/api/notebooks/{nb_id}/revisions")).json()["revisions"]
            # Twelve saves within five minutes: folded into one revision of the document's
            # own; the revision the notebook was created with stays.
            assert len(listed) == 2 and not listed[0]["pinned"]
            assert listed[0]["revision"] > 12
            created = await api.get(f"/api/notebooks/{nb_id}/revisions/{listed[1]['revision']}")
            assert created.json()["content"]["cells"][0]["source"] == ""
            r = await api.post(f"/api/notebooks/{nb_id}/revisions/pin")
            assert r.status_code == 200, r.text
            append(page, 0, "!")
            await eventually(lambda: _file_has(api, nb_id, "012345678901!"))
            listed = (await api.get(f"/api/notebooks/{nb_id}/revisions")).json()["revisions"]
            assert [r["pinned"] for r in listed] == [False, True, False]
            pinned = await api.get(f"/api/notebooks/{nb_id}/revisions/{listed[1]['revision']}")
            assert pinned.json()["content"]["cells"][0]["source"] == "012345678901"


async def _file_has(api: httpx.AsyncClient, nb_id: str, source: str) -> bool:
    r = await api.get(f"/api/notebooks/{nb_id}/file")
    return bool(json.loads(r.content)["cells"][0]["source"] == source)


async def _refused(url: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=headers):
            pass
    return refused.value.response.status_code


async def test_only_the_owner_of_the_right_origin_may_join(server: LiveServer) -> None:
    token = await server.token_for("alice")
    mallory = await server.token_for("mallory")
    async with server.client(token) as api:
        nb_id = await create(api, "secret = 42")
    url = f"{server.ws_base}/api/notebooks/{nb_id}/live"
    assert await _refused(url, {}) == 401
    assert await _refused(url, {"Authorization": "Bearer not-a-token"}) == 401
    assert await _refused(url, {"Authorization": f"Bearer {mallory}"}) == 404
    foreign = {"Authorization": f"Bearer {token}", "Origin": "http://evil.example"}
    assert await _refused(url, foreign) == 403
    missing = f"{server.ws_base}/api/notebooks/00000000-0000-0000-0000-000000000000/live"
    assert await _refused(missing, {"Authorization": f"Bearer {token}"}) == 404
    # Refusals opened nothing.
    assert server.services.live.get_open(nb_id) is None
    own = server.base.replace("http://", "http://")
    async with peer(server.ws_base, nb_id, token, origin=own) as page:
        assert page.source(0) == "secret = 42"


async def test_shutdown_saves_what_the_document_holds(settings: Settings) -> None:
    settings.live_documents = True
    settings.live_save_delay = 3600  # only the shutdown can have saved it
    async with live_server(settings) as server:
        token = await server.token_for("alice")
        alice = await server.services.users.get_by_name("alice")
        async with server.client(token) as api:
            nb_id = await create(api, "kept = 0")
            # The page's GET loads the document before its WebSocket asks for it.
            assert (await api.get(f"/api/notebooks/{nb_id}")).status_code == 200
            await eventually(lambda: _loaded(server, nb_id))
        # A holder that is not a page (as the executor writing outputs) edits it.
        doc = await server.services.live.open(nb_id, alice)
        source = doc.ynotebook.ycells[0]["source"]
        source.insert(len(source), "  # written before shutdown")
        assert file_sources(server, settings, alice.id) == ["kept = 0"]
    assert file_sources(server, settings, alice.id) == ["kept = 0  # written before shutdown"]


async def _loaded(server: LiveServer, nb_id: str) -> bool:
    return server.services.live.get_open(nb_id) is not None
