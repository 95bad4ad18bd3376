"""`python -m bench.cluster`: cloudbook on a real JupyterHub, with two replicas.

- new session -> first `1+1` result through the jupyterhub provider, warm pool of one
  (the pool refills between runs);
- `1+1` round trip through replica B forwarding to replica A (which holds the runtime),
  beside A directly and beside ZMQ straight to a kernel (the floor), interleaved.

Needs PostgreSQL (CLOUDBOOK_TEST_POSTGRES_URL, default postgresql://root@127.0.0.1:5432/test)
and npm (configurable-http-proxy is installed into .hub-proxy/ on first use).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.__main__ import ZmqFloor, pct, round_trips, wait_pool
from bench.procs import print_rows
from cloudbook.runtimes.kernel_client import KernelConnection
from tests.cluster_procs import (
    Replica,
    api_token,
    create_pg_database,
    drop_pg_database,
    start_replica,
)
from tests.hub_fixtures import close_hub, start_hub

PG = os.environ.get("CLOUDBOOK_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def connection(replica: Replica, token: str, channels_url: str) -> KernelConnection:
    return KernelConnection(replica.ws_base + channels_url, {"Authorization": f"Bearer {token}"})


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


async def main(runs: int, sessions: int) -> None:
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
        floor = ZmqFloor()
        forwarded: list[float] = []
        direct: list[float] = []
        zmq: list[float] = []
        async with (
            connection(b, token, channels) as via_b,
            connection(a, token, channels) as via_a,
        ):
            await via_b.execute("1+1")
            await via_a.execute("1+1")
            for _ in range(runs // 20):
                forwarded += await round_trips(via_b, 20)
                direct += await round_trips(via_a, 20)
                zmq += floor.round_trips(20)
        floor.close()
    finally:
        for replica in replicas:
            replica.kill()
        await asyncio.to_thread(close_hub, hub)
        await drop_pg_database(PG, db_name)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} / {pct(values, 0.95) * 1000:.1f} ms"

    rows = [
        ("new session -> first 1+1 result, jupyterhub, warm pool (median / p95)", ms(first)),
        *((f"  of which {name}", ms(values)) for name, values in phases.items()),
        ("1+1 through replica B -> A -> Hub proxy -> runtime", ms(forwarded)),
        ("1+1 through replica A -> Hub proxy -> runtime", ms(direct)),
        ("1+1 over ZMQ straight to a kernel (floor)", ms(zmq)),
        (
            "ratio B-forwarded / ZMQ (median)",
            f"{statistics.median(forwarded) / statistics.median(zmq):.2f}x",
        ),
        (
            "ratio B-forwarded / A direct (median)",
            f"{statistics.median(forwarded) / statistics.median(direct):.2f}x",
        ),
    ]
    print_rows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.sessions))
    sys.exit(0)
