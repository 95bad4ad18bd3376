"""Two service replicas on one PostgreSQL store, as separate processes on their own ports,
with runtimes on a real JupyterHub: a notebook attached through replica A runs through
replica B's kernel WebSocket (forwarded to A); A killed, B adopts its runtime and the
client reconnects to the same kernel."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.cluster_procs import (
    Replica,
    api_token,
    start_replica,
)
from tests.conftest import POSTGRES_URL
from tests.hub_fixtures import RealHub, real_hub  # noqa: F401
from tests.jupyter_fixtures import KernelWsClient, execute_result, stream_text
from tests.server.test_port_proxy import START_ECHO

pytestmark = [
    pytest.mark.timeout(400),
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CLOUDBOOK_TEST_POSTGRES_URL"),
]


@pytest.fixture
def replicas(
    tmp_path: Path,
    pg_url: str,
    real_hub: RealHub,  # noqa: F811
) -> Iterator[tuple[Replica, Replica]]:
    data = tmp_path / "shared-data"  # the drive and key every replica shares
    a = start_replica(data, pg_url, real_hub, "a")
    b = None
    try:
        b = start_replica(data, pg_url, real_hub, "b")
        yield a, b
    finally:
        for replica in (a, b):
            if replica is not None:
                replica.kill()


def client(replica: Replica, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=replica.base, headers={"Authorization": f"Bearer {token}"}, timeout=300
    )


def kernel_ws(replica: Replica, token: str, session: dict[str, Any], sid: str) -> KernelWsClient:
    return KernelWsClient(
        replica.ws_base + session["channels_url"],
        headers={"Authorization": f"Bearer {token}"},
        session_id=sid,
        open_timeout=20,
    )


async def test_any_replica_serves_the_kernel_and_adopts_a_dead_ones_runtime(
    replicas: tuple[Replica, Replica], pg_url: str
) -> None:
    a, b = replicas
    token = await api_token(pg_url, "alice")
    async with client(a, token) as http_a, client(b, token) as http_b:
        nb = (await http_a.post("/api/notebooks", json={"name": "shared.ipynb"})).json()
        r = await http_a.post(f"/api/notebooks/{nb['id']}/session")
        assert r.status_code == 200, r.text
        session = r.json()
        # B knows the notebook's runtime (the store says A holds it) and does not start one.
        seen_by_b = await http_b.get(f"/api/notebooks/{nb['id']}/session")
        assert seen_by_b.status_code == 200, seen_by_b.text
        assert seen_by_b.json()["runtime_id"] == session["runtime_id"]
        again = await http_b.post(f"/api/notebooks/{nb['id']}/session")
        assert again.json()["runtime_id"] == session["runtime_id"]
        # Another user gets nothing from B either.
        mallory = await api_token(pg_url, "mallory")
        async with client(b, mallory) as http_m:
            r = await http_m.get(f"/api/runtimes/{session['runtime_id']}")
            assert r.status_code == 404
        with pytest.raises(InvalidStatus) as refused:
            async with kernel_ws(b, mallory, session, "m"):
                pass
        assert refused.value.response.status_code == 404

        sid = uuid.uuid4().hex
        async with kernel_ws(b, token, session, sid) as conn:
            assert execute_result(await conn.execute("x = 20\nx * 2 + 2", timeout=120)) == "42"
            # A web app in the runtime, its WebSocket reached through B (A holds the link).
            echo_port = int(stream_text(await conn.execute(START_ECHO)).strip().splitlines()[-1])
            rid = session["runtime_id"]
            link = await http_b.post(f"/api/runtimes/{rid}/ports/{echo_port}/url")
            assert link.status_code == 200, link.text
            async with connect(
                "ws" + link.json()["url"][len("http") :] + "socket",
                origin="null",  # type: ignore[arg-type]
            ) as app:
                await app.send("through b")
                assert await app.recv() == "echo:through b"
            a.kill()  # no shutdown: its heartbeat just stops
            with pytest.raises(ConnectionClosed):
                await conn.execute("x", timeout=60)

        # The page reconnects (to B, the replica left) until the kernel answers again.
        deadline = time.monotonic() + 120
        while True:
            try:
                async with kernel_ws(b, token, session, sid) as conn:
                    assert execute_result(await conn.execute("x + 1", timeout=60)) == "21"
                    break
            except (OSError, TimeoutError, ConnectionClosed, InvalidStatus):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)  # the page's reconnect pace
        status = await http_b.get(f"/api/runtimes/{session['runtime_id']}")
        assert status.status_code == 200, status.text
        assert status.json()["state"] == "running"
        held = await http_b.get(f"/api/notebooks/{nb['id']}/session")
        assert held.json()["runtime_id"] == session["runtime_id"]
