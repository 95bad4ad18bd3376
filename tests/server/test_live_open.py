"""Opening a live document cheaply: the page's GET loads it from the content it read, a
page with nothing yet is answered from the state cached at the load, and that cache never
serves a document that changed since (docs/live.md)."""

from __future__ import annotations

import pytest

from cloudbook.settings import Settings
from tests.server.live import LiveServer
from tests.server.test_live_documents import (  # the same live-documents server
    _closed,
    create,
    eventually,
    file_sources,
    server,  # noqa: F401
)
from tests.server.ydoc_client import peer

pytestmark = pytest.mark.timeout(120)


async def test_a_page_after_a_change_gets_the_change_not_the_loaded_state(
    server: LiveServer,  # noqa: F811
) -> None:
    token = await server.token_for("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "a = 1", "b = 2")
        # The page's GET loads the document (from what the GET read).
        got = await api.get(f"/api/notebooks/{nb_id}")
        assert got.json()["live"] is True
        async with peer(server.ws_base, nb_id, token) as one:
            assert [one.source(0), one.source(1)] == ["a = 1", "b = 2"]
            one.notebook.ycells[1]["source"].insert(5, "0")
            await eventually(lambda: _source_in_service(server, nb_id, 1, "b = 20"))
            async with peer(server.ws_base, nb_id, token) as two:
                assert [two.source(0), two.source(1)] == ["a = 1", "b = 20"]


async def test_a_deletion_alone_is_saved(
    server: LiveServer,  # noqa: F811
    settings: Settings,
) -> None:
    # A deletion leaves the document's state vector as it was: the service must still see
    # that the document changed since it was loaded.
    token = await server.token_for("alice")
    alice = await server.services.users.get_by_name("alice")
    async with server.client(token) as api:
        nb_id = await create(api, "a = 1  # gone", "b = 2")
        await api.get(f"/api/notebooks/{nb_id}")
        async with peer(server.ws_base, nb_id, token) as page:
            source = page.notebook.ycells[0]["source"]
            del source[5:]
            assert page.source(0) == "a = 1"
            await eventually(lambda: _source_in_service(server, nb_id, 0, "a = 1"))
        await eventually(lambda: _closed(server, nb_id))
    assert file_sources(server, settings, alice.id) == ["a = 1", "b = 2"]


async def _source_in_service(live: LiveServer, nb_id: str, index: int, want: str) -> bool:
    doc = live.services.live.get_open(nb_id)
    return doc is not None and str(doc.ynotebook.ycells[index]["source"]) == want
