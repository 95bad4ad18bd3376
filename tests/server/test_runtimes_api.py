"""Sessions, runtimes and the kernel WebSocket through a real server and real runtimes."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.settings import Settings
from tests.processes import runtime_pids
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.timeout(180)


async def attach(live: LiveServer, token: str, name: str = "n.ipynb") -> dict[str, str]:
    async with live.client(token) as http:
        nb = (await http.post("/api/notebooks", json={"name": name})).json()
        r = await http.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 200, r.text
        return {**r.json(), "notebook_id": nb["id"]}


def kernel(live: LiveServer, token: str, session: dict[str, str]) -> KernelConnection:
    return KernelConnection(
        live.ws_base + session["channels_url"], {"Authorization": f"Bearer {token}"}
    )


def stdout_of(result: object) -> str:
    return "".join(
        m["content"]["text"]
        for m in result.iopub  # type: ignore[attr-defined]
        if m["header"]["msg_type"] == "stream"
    )


async def test_session_runs_code_in_content_and_reports_sandbox(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    async with live.client(token) as http:
        again = (await http.post(f"/api/notebooks/{session['notebook_id']}/session")).json()
        assert again["runtime_id"] == session["runtime_id"]
        status = (await http.get(f"/api/runtimes/{session['runtime_id']}")).json()
    assert status["state"] == "running"
    assert status["sandboxed"] is (shutil.which("bwrap") is not None)
    assert status["resources"]["memory"]["total"] > 0
    async with kernel(live, token, session) as conn:
        result = await conn.execute("import os; print(os.getcwd())")
        assert stdout_of(result).strip() == "/content"
        result = await conn.execute("!echo hi")
        assert stdout_of(result).strip() == "hi"


async def test_another_users_runtime_is_not_found(live: LiveServer) -> None:
    alice = await live.token_for("alice")
    bob = await live.token_for("bob")
    session = await attach(live, alice)
    rid, kid = session["runtime_id"], session["kernel_id"]
    async with live.client(bob) as http:
        for method, path in [
            ("GET", f"/api/runtimes/{rid}"),
            ("DELETE", f"/api/runtimes/{rid}"),
            ("POST", f"/api/runtimes/{rid}/kernels/{kid}/interrupt"),
            ("POST", f"/api/runtimes/{rid}/kernels/{kid}/restart"),
            ("GET", f"/api/notebooks/{session['notebook_id']}/session"),
        ]:
            r = await http.request(method, path)
            assert r.status_code == 404, (method, path, r.text)
            assert r.json()["error"]["code"].startswith("no_such")
    with pytest.raises(InvalidStatus) as denied:
        async with connect(
            live.ws_base + session["channels_url"],
            additional_headers={"Authorization": f"Bearer {bob}"},
        ):
            pass
    assert denied.value.response.status_code == 404
    with pytest.raises(InvalidStatus) as anonymous:
        async with connect(live.ws_base + session["channels_url"]):
            pass
    assert anonymous.value.response.status_code == 401
    async with live.client(alice) as http:
        assert (await http.get(f"/api/runtimes/{rid}")).json()["state"] == "running"


async def test_foreign_origin_websocket_is_refused(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    with pytest.raises(InvalidStatus) as denied:
        async with connect(
            live.ws_base + session["channels_url"],
            additional_headers={"Authorization": f"Bearer {token}"},
            origin="http://evil.example",  # type: ignore[arg-type]
        ):
            pass
    assert denied.value.response.status_code == 403
    # Same host and port, other scheme: an http page is foreign to an https service and
    # the reverse (a network attacker can serve the http one).
    with pytest.raises(InvalidStatus) as other_scheme:
        async with connect(
            live.ws_base + session["channels_url"],
            additional_headers={"Authorization": f"Bearer {token}"},
            origin="https" + live.base[len("http") :],  # type: ignore[arg-type]
        ):
            pass
    assert other_scheme.value.response.status_code == 403
    async with connect(
        live.ws_base + session["channels_url"],
        additional_headers={"Authorization": f"Bearer {token}"},
        origin=live.base,  # type: ignore[arg-type]
    ):
        pass


async def test_kernel_death_is_reported_and_restart_recovers(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    rid, kid = session["runtime_id"], session["kernel_id"]
    async with kernel(live, token, session) as conn:
        await conn.execute("x = 41")
        from cloudbook.runtimes.kernel_client import new_message

        await conn.send(
            new_message(
                "execute_request", {"code": "import os; os._exit(1)"}, conn.session, "shell"
            )
        )
        states = []
        while not set(states) & {"dead", "restarting"}:
            msg = await asyncio.wait_for(conn.recv(), 30)
            if msg["header"]["msg_type"] == "status":
                states.append(msg["content"]["execution_state"])
    async with live.client(token) as http:
        r = await http.post(f"/api/runtimes/{rid}/kernels/{kid}/restart")
        assert r.status_code == 204, r.text
    # A socket opened right after a crash can stall (about 1 in 4 runs here, jupyter_server's
    # restart race): the runtime no longer closes idle sockets, so a connection that gets
    # no reply is given up, as the page reconnects: recovery means a fresh connection runs
    # code on the new kernel.
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        try:
            async with kernel(live, token, session) as conn:
                result = await asyncio.wait_for(conn.execute("print('x' in globals(), 1 + 1)"), 30)
            break
        except (ConnectionClosedError, TimeoutError):
            if asyncio.get_running_loop().time() > deadline:
                raise
    assert stdout_of(result).strip() == "False 2"


async def test_delete_runtime_stops_its_processes(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    rid = session["runtime_id"]
    assert runtime_pids({rid})
    async with live.client(token) as http:
        assert (await http.delete(f"/api/runtimes/{rid}")).status_code == 204
        assert (await http.get(f"/api/runtimes/{rid}")).status_code == 404
        r = await http.get(f"/api/notebooks/{session['notebook_id']}/session")
        assert r.status_code == 404
    assert runtime_pids({rid}) == {}


async def test_idle_runtime_is_reclaimed(settings: Settings) -> None:
    settings.pool_size = 0
    settings.idle_timeout = 1.0
    settings.reap_interval = 0.2
    async with live_server(settings) as live:
        token = await live.token_for("alice")
        session = await attach(live, token)
        rid = session["runtime_id"]
        async with kernel(live, token, session) as conn:
            await conn.execute("1+1")
            await asyncio.sleep(1.5)  # connected: never reclaimed, however long
            assert runtime_pids({rid})
        for _ in range(100):
            if not runtime_pids({rid}):
                break
            await asyncio.sleep(0.1)
        assert runtime_pids({rid}) == {}
        async with live.client(token) as http:
            assert (await http.get(f"/api/runtimes/{rid}")).status_code == 404
