"""Two service replicas on one PostgreSQL store with *local* runtimes (processes of one
replica's machine): REST calls for a runtime held by replica A that reach replica B are
forwarded to A (files, kernels REST, status, the port proxy), with A deciding who may;
and one notebook is used through both replicas at once, in one kernel."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.cluster_procs import (
    Replica,
    api_token,
    reclaim_local_runtimes,
    start_replica,
)
from tests.conftest import POSTGRES_URL
from tests.jupyter_fixtures import KernelWsClient, execute_result, stream_text
from tests.server.test_port_proxy import START_ECHO, START_HTTP_SERVER

pytestmark = [
    pytest.mark.timeout(400),
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CLOUDBOOK_TEST_POSTGRES_URL"),
]


@pytest.fixture
async def local_replicas(tmp_path: Path, pg_url: str) -> AsyncIterator[tuple[Replica, Replica]]:
    data = tmp_path / "shared-data"
    a = start_replica(data, pg_url, None, "a")
    b = None
    try:
        b = start_replica(data, pg_url, None, "b")
        yield a, b
    finally:
        for replica in (a, b):
            if replica is not None:
                replica.kill()
        await reclaim_local_runtimes(data)


def client(replica: Replica, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=replica.base, headers=headers, timeout=300)


def kernel_ws(replica: Replica, token: str, session: dict[str, Any]) -> KernelWsClient:
    return KernelWsClient(
        replica.ws_base + session["channels_url"],
        headers={"Authorization": f"Bearer {token}"},
        session_id=uuid.uuid4().hex,
        open_timeout=20,
    )


async def test_rest_for_a_local_runtime_reaches_its_replica_through_any_other(
    local_replicas: tuple[Replica, Replica], pg_url: str
) -> None:
    a, b = local_replicas
    alice = await api_token(pg_url, "alice")
    mallory = await api_token(pg_url, "mallory")
    async with client(a, alice) as http_a, client(b, alice) as http_b:
        nb = (await http_a.post("/api/notebooks", json={"name": "shared.ipynb"})).json()
        r = await http_a.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 200, r.text
        session = r.json()
        rid, kid = session["runtime_id"], session["kernel_id"]
        files = f"/api/runtimes/{rid}/files"

        # Files through B land in A's runtime, and B lists what A's kernel wrote.
        up = await http_b.put(
            f"{files}/content", params={"path": "/content/from-b.txt"}, content=b"via replica B"
        )
        assert up.status_code == 200, up.text
        assert up.json()["name"] == "from-b.txt"
        listed = await http_b.get(files, params={"path": "/content"})
        assert listed.status_code == 200, listed.text
        assert "from-b.txt" in {e["name"] for e in listed.json()["entries"]}
        down = await http_b.get(f"{files}/download", params={"path": "/content/from-b.txt"})
        assert down.status_code == 200
        assert down.content == b"via replica B"
        assert down.headers["x-content-type-options"] == "nosniff"
        status = await http_b.get(f"/api/runtimes/{rid}")
        assert status.status_code == 200, status.text
        assert status.json()["state"] == "running"
        interrupted = await http_b.post(f"/api/runtimes/{rid}/kernels/{kid}/interrupt")
        assert interrupted.status_code == 204, interrupted.text

        # The same notebook attached through both replicas at once: one kernel.
        async with kernel_ws(a, alice, session) as on_a, kernel_ws(b, alice, session) as on_b:
            assert execute_result(await on_a.execute("shared = 40", timeout=120)) is None
            assert execute_result(await on_b.execute("shared + 2", timeout=120)) == "42"
            seen = await on_b.execute("print(open('/content/from-b.txt').read())")
            assert stream_text(seen).strip() == "via replica B"
            assert execute_result(await on_a.execute("shared * 2", timeout=120)) == "80"
            started = await on_b.execute(START_HTTP_SERVER, timeout=120)
            port = int(stream_text(started).strip().splitlines()[-1])
            echoing = await on_b.execute(START_ECHO, timeout=120)
            echo_port = int(stream_text(echoing).strip().splitlines()[-1])

        # The port proxy through B: B's link, fetched from B, served by A's runtime.
        link = await http_b.post(f"/api/runtimes/{rid}/ports/{port}/url")
        assert link.status_code == 200, link.text
        url = link.json()["url"]
        assert url.startswith(b.base + "/")
        async with httpx.AsyncClient(timeout=60) as anonymous:
            got = await anonymous.get(url + "hello.txt")
            assert got.status_code == 200, got.text
            assert got.text == "hello from the runtime"
            assert got.headers["content-security-policy"].startswith("sandbox")
            forged = url.replace(f"/proxy/{port}/", f"/proxy/{port}/x")
            assert (await anonymous.get(forged + "hello.txt")).status_code == 404

        # A web app's WebSocket through B (as a sandboxed frame opens it: no cookie).
        link = await http_b.post(f"/api/runtimes/{rid}/ports/{echo_port}/url")
        assert link.status_code == 200, link.text
        ws_url = "ws" + link.json()["url"][len("http") :] + "socket"
        assert ws_url.startswith(b.ws_base + "/")
        async with connect(ws_url, origin="null") as ws:  # type: ignore[arg-type]
            await ws.send("ping")
            assert await ws.recv() == "echo:ping"
            await ws.send("again")
            assert await ws.recv() == "echo:again"
        forged_token = ws_url.rstrip("/").rsplit("/", 2)[1]
        with pytest.raises(InvalidStatus) as denied:
            async with connect(ws_url.replace(forged_token, "1.2.AAAAAAAAAAAAAAAAAAAAAA")):
                pass
        assert denied.value.response.status_code == 404

        # Another user asking B gets A's answer: nothing.
        async with client(b, mallory) as http_m:
            assert (await http_m.get(files, params={"path": "/content"})).status_code == 404
            denied = await http_m.put(
                f"{files}/content", params={"path": "/content/x.txt"}, content=b"no"
            )
            assert denied.status_code == 404
            assert (await http_m.post(f"/api/runtimes/{rid}/ports/{port}/url")).status_code == 404
        async with client(b, None) as anonymous_b:
            assert (await anonymous_b.get(files, params={"path": "/content"})).status_code == 401
        still = await http_a.get(files, params={"path": "/content"})
        assert "x.txt" not in {e["name"] for e in still.json()["entries"]}

        # Deleted through B: A stops it.
        gone = await http_b.delete(f"/api/runtimes/{rid}")
        assert gone.status_code == 204, gone.text
        assert (await http_a.get(f"/api/runtimes/{rid}")).status_code == 404
