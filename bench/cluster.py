"""`python -m bench.cluster`: cloudbook on a real JupyterHub, with two replicas.

- new session -> first `1+1` result through the jupyterhub provider, warm pool of one
  (the pool refills between runs);
- `1+1` round trip through replica B forwarding to replica A (which holds the runtime),
  beside A directly and beside ZMQ straight to a kernel (the floor), interleaved; with
  ``--hops`` also the runtime's server reached without a replica (at its own address and
  through the Hub's proxy) and ZMQ straight to the runtime's own kernel, to see which hop
  costs what.

Each path is measured with its own connection open alone (opened for each batch of 20,
closed after, not resumable: nothing lingers), in the page's framing (v1): every other
open kernel WebSocket would make the kernel's server, and the replicas, carry a copy of
every iopub message of the round trip being timed.

Needs PostgreSQL (CLOUDBOOK_TEST_POSTGRES_URL, default postgresql://root@127.0.0.1:5432/test)
and npm (configurable-http-proxy is installed into .hub-proxy/ on first use).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.__main__ import ZmqFloor, pct, round_trips, wait_pool
from bench.procs import print_rows
from cloudbook.runtimes.jupyterhub import server_name
from cloudbook.runtimes.kernel_client import KernelConnection
from tests.cluster_procs import (
    Replica,
    api_token,
    create_pg_database,
    drop_pg_database,
    start_replica,
)
from tests.hub_fixtures import RealHub, close_hub, start_hub

PG = os.environ.get("CLOUDBOOK_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def connection(replica: Replica, token: str, channels_url: str) -> KernelConnection:
    return KernelConnection(replica.ws_base + channels_url, {"Authorization": f"Bearer {token}"})


def alone(url: str, headers: dict[str, str], protocol: str = "v1") -> KernelConnection:
    """A page's framing, without a session id: the holder drops the upstream on close."""
    conn = KernelConnection(url, headers, protocol)
    conn.session = ""
    return conn


async def paired_batch(via_b: str, via_a: str, headers: dict[str, str], n: int) -> list[float]:
    """The method of the figures before session 6: B timed while A's socket is open on the
    same kernel too (every iopub message carried twice), in the legacy JSON framing."""
    async with (
        alone(via_b, headers, "legacy") as b_conn,
        alone(via_a, headers, "legacy") as a_conn,
    ):
        await a_conn.execute("1+1")
        return await round_trips(b_conn, n)


async def batch(make: Callable[[], KernelConnection], n: int) -> list[float]:
    async with make() as conn:
        return await round_trips(conn, n)


def hub_paths(hub: RealHub, runtime_id: str, kernel_id: str) -> dict[str, str]:
    """The runtime's channels URL at the server's own address and through the Hub's proxy."""
    auth = {"Authorization": f"token {hub.token}"}
    servers = httpx.get(f"{hub.url}/hub/api/users/cloudbook", headers=auth).json()["servers"]
    server = servers[server_name(runtime_id)]
    prefix = str(server["url"]).rstrip("/")
    routes = httpx.get(f"{hub.url}/hub/api/proxy", headers=auth).json()
    (target,) = [r["target"] for spec, r in routes.items() if spec.rstrip("/") == prefix]
    path = f"{prefix}/api/kernels/{kernel_id}/channels"
    return {"direct": "ws" + target[4:] + path, "hub proxy": "ws" + hub.url[4:] + path}


def runtime_kernel_client(connection_file: str) -> Any:
    from jupyter_client import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_file(connection_file)
    kc.start_channels()
    kc.wait_for_ready(30)
    return kc


def zmq_round_trips(kc: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        kc.execute_interactive("1+1", timeout=30, output_hook=lambda m: None)
        times.append(time.perf_counter() - t)
    return times


async def first_results(
    a: Replica, token: str, runs: int, phases: dict[str, list[float]]
) -> list[float]:
    """POST session (warm runtime) -> channels open -> `1+1` answered; ``phases`` gets
    each part's time (session POST, channels open, first execute)."""
    times = []
    async with httpx.AsyncClient(
        base_url=a.base, headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as http:
        for i in range(runs):
            await wait_pool(http, timeout=600)
            nb = (await http.post("/api/notebooks", json={"name": f"first-{i}.ipynb"})).json()
            start = time.perf_counter()
            r = await http.post(f"/api/notebooks/{nb['id']}/session")
            r.raise_for_status()
            posted = time.perf_counter()
            async with connection(a, token, r.json()["channels_url"]) as conn:
                opened = time.perf_counter()
                result = await conn.execute("1+1")
                done = time.perf_counter()
                times.append(done - start)
                phases.setdefault("session POST", []).append(posted - start)
                phases.setdefault("channels open", []).append(opened - posted)
                phases.setdefault("first execute", []).append(done - opened)
                assert result.status == "ok"
            await http.delete(f"/api/notebooks/{nb['id']}/session")
    return times


async def main(runs: int, sessions: int, hops: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="cloudbook-bench-cluster-"))
    db_name, db_url = await create_pg_database(PG, "cb_bench")
    hub = await asyncio.to_thread(start_hub, work / "hub")
    replicas: list[Replica] = []
    try:
        data = work / "data"
        a = await asyncio.to_thread(start_replica, data, db_url, hub, "a", pool_size=1)
        replicas.append(a)
        b = await asyncio.to_thread(start_replica, data, db_url, hub, "b")
        replicas.append(b)
        token = await api_token(db_url, "bench")
        phases: dict[str, list[float]] = {}
        first = await first_results(a, token, sessions, phases)

        async with httpx.AsyncClient(
            base_url=a.base, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as http:
            nb = (await http.post("/api/notebooks", json={"name": "rt.ipynb"})).json()
            r = await http.post(f"/api/notebooks/{nb['id']}/session")
            r.raise_for_status()
            channels = r.json()["channels_url"]
            kernel_id = r.json()["kernel_id"]
            runtime_id = r.json()["runtime_id"]
        bearer = {"Authorization": f"Bearer {token}"}
        makers: dict[str, Callable[[], KernelConnection]] = {
            "B": lambda: alone(b.ws_base + channels, bearer),
            "A": lambda: alone(a.ws_base + channels, bearer),
        }
        runtime_kc = None
        if hops:
            hub_auth = {"Authorization": f"token {hub.token}"}
            for name, url in hub_paths(hub, runtime_id, kernel_id).items():
                makers[name] = functools.partial(alone, url, hub_auth)
            async with makers["direct"]() as conn:
                code = "import ipykernel.connect as c; print(c.get_connection_file())"
                out = await conn.execute(code)
            text = "".join(m["content"].get("text", "") for m in out.iopub)
            runtime_kc = runtime_kernel_client(text.strip())
        floor = ZmqFloor()
        load_before = os.getloadavg()
        names = [*makers, "B paired", "kernel", "zmq"]
        times: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(runs // 20):
            for name, make in makers.items():
                times[name] += await batch(make, 20)
            if hops:
                times["B paired"] += await paired_batch(
                    b.ws_base + channels, a.ws_base + channels, bearer, 20
                )
            if runtime_kc is not None:
                times["kernel"] += zmq_round_trips(runtime_kc, 20)
            times["zmq"] += floor.round_trips(20)
        if runtime_kc is not None:
            runtime_kc.stop_channels()
        floor.close()
        load = os.getloadavg()
    finally:
        for replica in replicas:
            replica.kill()
        await asyncio.to_thread(close_hub, hub)
        await drop_pg_database(PG, db_name)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} / {pct(values, 0.95) * 1000:.1f} ms"

    zmq = statistics.median(times["zmq"])
    labels = {
        "B": "1+1 through replica B -> A -> runtime's server",
        "A": "1+1 through replica A -> runtime's server",
        "direct": "1+1 at the runtime's server, its own address (no replica)",
        "hub proxy": "1+1 at the runtime's server through the Hub's proxy (no replica)",
        "B paired": "1+1 through B, A's socket open too, JSON framing (the old method)",
        "kernel": "1+1 over ZMQ straight to the runtime's kernel",
        "zmq": "1+1 over ZMQ straight to a bare kernel (floor)",
    }
    rows = [
        ("new session -> first 1+1 result, jupyterhub, warm pool (median / p95)", ms(first)),
        *((f"  of which {name}", ms(values)) for name, values in phases.items()),
        *((labels[name], ms(values)) for name, values in times.items() if values),
        *(
            (f"ratio {name} / ZMQ floor (median)", f"{statistics.median(v) / zmq:.2f}x")
            for name, v in times.items()
            if v and name != "zmq"
        ),
        (
            "ratio B-forwarded / A direct (median)",
            f"{statistics.median(times['B']) / statistics.median(times['A']):.2f}x",
        ),
        (
            "load average (1, 5, 15 min) before / after the round trips",
            " ".join(f"{x:.2f}" for x in load_before) + " / " + " ".join(f"{x:.2f}" for x in load),
        ),
    ]
    print_rows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--hops", action="store_true", help="time each hop on its own too")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.sessions, args.hops))
    sys.exit(0)
