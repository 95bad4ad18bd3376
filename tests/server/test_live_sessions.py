"""Live documents and the routes around them (branch livesave): each load of a document
has a session id a page must name when it reconnects (a stale copy is refused, not merged
into the new load); FLUSHED is echoed behind the page's edits; routes that copy or read the
notebook see the document's edits the file does not have yet; a runtime-type change goes
through the document instead of being written over by its next save."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server
from tests.server.test_live_documents import _closed, create, eventually, file_sources
from tests.server.ydoc_client import peer

pytestmark = pytest.mark.timeout(120)

SESSION = 104
FLUSHED = 103


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.live_documents = True
    settings.live_save_delay = 3600  # the file lags the document unless a route saves it
    settings.live_linger = 0
    async with live_server(settings) as s:
        yield s


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _session_of(url: str, token: str) -> str:
    async with connect(url, additional_headers=_headers(token)) as ws:
        first = await ws.recv()
        assert isinstance(first, bytes) and first[0] == SESSION
        # FLUSHED comes back as sent (after the sync messages the room sends meanwhile).
        await ws.send(bytes([FLUSHED, 0, 0, 0, 7]))
        while (message := await ws.recv()) != bytes([FLUSHED, 0, 0, 0, 7]):
            assert isinstance(message, bytes)
        return first[1:].decode()


async def test_a_page_of_an_earlier_load_is_refused_and_may_start_afresh(
    server: LiveServer,
) -> None:
    token = await server.token_for("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "a = 1")
    url = f"{server.ws_base}/api/notebooks/{nb_id}/live"
    async with peer(server.ws_base, nb_id, token):  # holds this load open
        first = await _session_of(url, token)
        assert await _session_of(f"{url}?session={first}", token) == first
    # Everybody left: the document closed; the next connection loads it anew.
    await eventually(lambda: _closed(server, nb_id))
    async with peer(server.ws_base, nb_id, token):
        async with connect(f"{url}?session={first}", additional_headers=_headers(token)) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4409, "stale_document")
        assert await _session_of(url, token) != first


async def test_copies_and_reads_see_the_document_the_file_lags(
    server: LiveServer, settings: Settings
) -> None:
    token = await server.token_for("alice")
    alice = await server.services.users.get_by_name("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "x = 1")
        async with peer(server.ws_base, nb_id, token) as page:
            source = page.notebook.ycells[0]["source"]
            source.insert(len(source), "  # typed")
            await _until_in_document(server, nb_id, "x = 1  # typed")
            assert file_sources(server, settings, alice.id) == ["x = 1"]

            r = await api.post(f"/api/notebooks/{nb_id}/duplicate", json={})
            assert r.status_code == 201, r.text
            copy = (await api.get(f"/api/notebooks/{r.json()['id']}")).json()
            assert copy["content"]["cells"][0]["source"] == "x = 1  # typed"

            revisions = (await api.get(f"/api/notebooks/{nb_id}/revisions")).json()["revisions"]
            newest = await api.get(f"/api/notebooks/{nb_id}/revisions/{revisions[0]['revision']}")
            assert newest.json()["content"]["cells"][0]["source"] == "x = 1  # typed"

            # The runtime type goes through the document: kept by the document's saves.
            r = await api.patch(
                f"/api/notebooks/{nb_id}/runtime-type",
                json={"accelerator": "none", "shape": "highmem"},
            )
            assert r.status_code == 200, r.text
            source.insert(0, "# more\n")
            await _until_in_document(server, nb_id, "# more\nx = 1  # typed")
            saved = await _content(api, nb_id)
            assert saved["cells"][0]["source"] == "# more\nx = 1  # typed"
            assert saved["metadata"]["colab"]["machine_shape"] == "hm"


async def _until_in_document(server: LiveServer, nb_id: str, text: str) -> None:
    async def there() -> bool:
        doc = server.services.live.get_open(nb_id)
        return doc is not None and str(doc.ynotebook.ycells[0]["source"]) == text

    await eventually(there)


async def _content(api: httpx.AsyncClient, nb_id: str) -> dict[str, Any]:
    r = await api.get(f"/api/notebooks/{nb_id}")
    assert r.status_code == 200, r.text
    content: dict[str, Any] = r.json()["content"]
    return content
