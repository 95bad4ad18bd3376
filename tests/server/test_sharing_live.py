"""Sharing attacks through a real server and real runtimes: what a viewer may not reach,
and sockets that close when access is removed."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.server.live import LiveServer
from tests.server.role_table import ROUTES

pytestmark = pytest.mark.timeout(240)


async def _notebook(live: LiveServer, token: str) -> str:
    async with live.client(token) as http:
        r = await http.post("/api/notebooks", json={"name": "shared.ipynb"})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


async def _share(live: LiveServer, token: str, notebook_id: str, user: str, role: str) -> None:
    async with live.client(token) as http:
        r = await http.post(
            f"/api/notebooks/{notebook_id}/shares", json={"user": user, "role": role}
        )
        assert r.status_code == 200, r.text


async def _closed_code(ws: object) -> int | None:
    """Wait until the server closes the socket; its close code."""
    try:
        while True:
            await ws.recv()  # type: ignore[attr-defined]
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def test_viewer_reaches_nothing_of_the_owners_runtime_or_secrets(live: LiveServer) -> None:
    alice = await live.token_for("alice")
    vic = await live.token_for("vic")
    notebook_id = await _notebook(live, alice)
    await _share(live, alice, notebook_id, "vic", "viewer")
    async with live.client(alice) as http:
        r = await http.put("/api/secrets/API_KEY", json={"value": "alice-secret-value"})
        assert r.status_code in (200, 201), r.text
        r = await http.put(
            f"/api/notebooks/{notebook_id}/secrets/API_KEY/access", json={"granted": True}
        )
        assert r.status_code == 204, r.text
        session = (await http.post(f"/api/notebooks/{notebook_id}/session")).json()
    rid, kid = session["runtime_id"], session["kernel_id"]
    async with live.client(vic) as http:
        # The viewer reads the notebook...
        assert (await http.get(f"/api/notebooks/{notebook_id}")).json()["role"] == "viewer"
        # ...but may not run it, nor read the owner's secrets.
        r = await http.post(f"/api/notebooks/{notebook_id}/session")
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role")
        r = await http.get(f"/api/notebooks/{notebook_id}/secrets/API_KEY")
        assert r.status_code == 403 and "alice-secret-value" not in r.text
        r = await http.get("/api/secrets")
        assert r.json()["secrets"] == [] and "alice-secret-value" not in r.text
        # Every runtime route of the table, on the owner's runtime: not found.
        for (method, template), need in ROUTES.items():
            if need.scope != "runtime" or method in ("WS", "*"):
                continue
            path = template.replace("{runtime_id}", rid).replace("{kernel_id}", kid)
            path = path.replace("{port}", "8888")
            body = {"path": "x", "new_path": "y"}
            r = await http.request(method, path, params={"path": "shared.ipynb"}, json=body)
            assert r.status_code == 404, (method, path, r.text)
            assert "alice-secret-value" not in r.text
    # The viewer's kernel WebSocket to the owner's kernel: refused before any upgrade.
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            live.ws_base + session["channels_url"],
            additional_headers={"Authorization": f"Bearer {vic}"},
        ):
            pass
    assert refused.value.response.status_code == 404
    # A stranger's watch socket on the notebook: refused too (404: it reveals nothing).
    stranger = await live.token_for("stranger")
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            f"{live.ws_base}/api/notebooks/{notebook_id}/watch",
            additional_headers={"Authorization": f"Bearer {stranger}"},
        ):
            pass
    assert refused.value.response.status_code == 404


async def test_removed_editor_loses_kernel_and_watch_sockets(live: LiveServer) -> None:
    alice = await live.token_for("alice")
    ed = await live.token_for("ed")
    notebook_id = await _notebook(live, alice)
    await _share(live, alice, notebook_id, "ed", "editor")
    async with live.client(ed) as http:
        r = await http.post(f"/api/notebooks/{notebook_id}/session")
        assert r.status_code == 200, r.text
        session = r.json()
    headers = {"Authorization": f"Bearer {ed}"}
    async with (
        connect(live.ws_base + session["channels_url"], additional_headers=headers) as kernel,
        connect(
            f"{live.ws_base}/api/notebooks/{notebook_id}/watch", additional_headers=headers
        ) as watch,
    ):
        services = live.services
        # Both sockets are registered before access changes (an event, not a delay).
        assert services.access.watching(notebook_id) == 2
        # A role change that keeps "editor" closes nothing; a drop to viewer closes the
        # kernel socket (viewers do not run); removing access closes the watch socket too.
        kernel_closed = asyncio.create_task(_closed_code(kernel))
        watch_closed = asyncio.create_task(_closed_code(watch))
        async with live.client(alice) as http:
            r = await http.patch(f"/api/notebooks/{notebook_id}/shares/ed", json={"role": "viewer"})
            assert r.status_code == 200, r.text
            assert await asyncio.wait_for(kernel_closed, 30) == 4403
            assert not watch_closed.done()
            r = await http.delete(f"/api/notebooks/{notebook_id}/shares/ed")
            assert r.status_code == 204, r.text
        assert await asyncio.wait_for(watch_closed, 30) == 4403
    assert services.access.watching(notebook_id) == 0
    async with live.client(ed) as http:
        r = await http.get(f"/api/notebooks/{notebook_id}")
        assert r.status_code == 404
    with pytest.raises(InvalidStatus):
        async with connect(live.ws_base + session["channels_url"], additional_headers=headers):
            pass


async def test_a_disabled_users_open_sockets_close(live: LiveServer) -> None:
    """Disabled by an admin: their kernel socket (on their own notebook's runtime) and
    their watch socket on a notebook shared with them close, and they cannot reconnect."""
    alice = await live.token_for("alice")
    dana = await live.token_for("dana")
    shared = await _notebook(live, alice)
    await _share(live, alice, shared, "dana", "viewer")
    own = await _notebook(live, dana)
    async with live.client(dana) as http:
        r = await http.post(f"/api/notebooks/{own}/session")
        assert r.status_code == 200, r.text
        session = r.json()
    headers = {"Authorization": f"Bearer {dana}"}
    async with (
        connect(live.ws_base + session["channels_url"], additional_headers=headers) as kernel,
        connect(
            f"{live.ws_base}/api/notebooks/{shared}/watch", additional_headers=headers
        ) as watch,
    ):
        services = live.services
        assert services.access.watching(shared) == 1 and services.access.watching(own) == 1
        kernel_closed = asyncio.create_task(_closed_code(kernel))
        watch_closed = asyncio.create_task(_closed_code(watch))
        admin = (await services.users.first_admin())[0]
        dana_id = (await services.users.get_by_name("dana")).id
        await services.admin.update(admin, dana_id, disabled=True)
        assert await asyncio.wait_for(watch_closed, 30) == 4403
        assert await asyncio.wait_for(kernel_closed, 30) is not None
    assert services.access.watching(shared) == 0
    for url in (
        live.ws_base + session["channels_url"],
        f"{live.ws_base}/api/notebooks/{shared}/watch",
    ):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, additional_headers=headers):
                pass
        assert refused.value.response.status_code == 401
    stopped = (await services.audit.events(kind="runtime.stopped")).events
    assert [(e.subject, e.detail["reason"]) for e in stopped] == [("dana", "disabled")]
