"""`python -m bench`: cloudbook beside plain jupyter_server, ZMQ and marimo, one table."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.procs import (
    BIN,
    add_user_with_token,
    free_port,
    process,
    rss_of,
    rss_of_tree,
    wait_http,
)
from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.runtimes.local import runtime_pids

PRINT_LINES = "for i in range(100_000):\n    print(i)"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def round_trips(conn: KernelConnection, n: int) -> list[float]:
    await conn.execute("1+1")
    times = []
    for _ in range(n):
        t = time.perf_counter()
        result = await conn.execute("1+1")
        times.append(time.perf_counter() - t)
        assert result.status == "ok"
    return times


async def timed_execute(conn: KernelConnection, code: str, repeat: int = 3) -> float:
    """Median of `repeat` runs: single runs of a 100,000-line print vary by ~15% here."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        await conn.execute(code)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class ZmqFloor:
    """A kernel reached straight over ZMQ with jupyter_client: the floor."""

    def __init__(self) -> None:
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3")
        self.kc.execute_interactive("1+1", timeout=30)

    def round_trips(self, n: int) -> list[float]:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            self.kc.execute_interactive("1+1", timeout=30, output_hook=lambda m: None)
            times.append(time.perf_counter() - t)
        return times

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


async def interleaved(conn: KernelConnection, floor: ZmqFloor, n: int) -> tuple[list[float], ...]:
    """Alternate batches of both, so load from elsewhere hits both alike."""
    await conn.execute("1+1")
    proxy: list[float] = []
    zmq: list[float] = []
    for _ in range(n // 20):
        proxy += await round_trips(conn, 20)
        zmq += floor.round_trips(20)
    return proxy, zmq


def serve_start(
    cmd: list[str], url: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> float:
    with process(cmd, env=env, cwd=cwd):
        return wait_http(url, timeout=60)


async def main(runs: int) -> None:
    rows: list[tuple[str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="cloudbook-bench-"))
    try:
        # --- a plain jupyter server (what JupyterHub/JupyterLab users run) --------
        jport = free_port()
        token = "bench-token"
        jenv = {"JUPYTER_TOKEN": token}
        jcmd = [
            str(BIN / "jupyter-server"),
            "--no-browser",
            f"--port={jport}",
            f"--ServerApp.root_dir={work}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ]
        with process(jcmd, env=jenv) as jproc:
            j_start = wait_http(f"http://127.0.0.1:{jport}/api/status?token={token}")
            async with httpx.AsyncClient() as http:
                r = await http.post(
                    f"http://127.0.0.1:{jport}/api/kernels",
                    headers={"Authorization": f"token {token}"},
                    json={},
                )
                kid = r.json()["id"]
            conn = KernelConnection(
                f"ws://127.0.0.1:{jport}/api/kernels/{kid}/channels",
                {"Authorization": f"token {token}"},
                protocol="v1",
            )
            async with conn:
                j_rt = await round_trips(conn, runs)
                j_print = await timed_execute(conn, PRINT_LINES)
            j_rss = rss_of_tree(jproc.pid)

        # --- straight to a kernel over ZMQ (the floor) ----------------------------
        zmq_floor = ZmqFloor()

        # --- cloudbook ------------------------------------------------------------
        data = work / "cb"
        api_token = add_user_with_token(data, "bench", "bench-password")
        cport = free_port()
        base = f"http://127.0.0.1:{cport}"
        ccmd = [
            str(BIN / "cloudbook"),
            "serve",
            "--no-browser",
            "--port",
            str(cport),
            "--data-dir",
            str(data),
        ]
        auth = {"Authorization": f"Bearer {api_token}"}
        with process(ccmd) as cproc:
            c_start = wait_http(base + "/")
            async with httpx.AsyncClient(base_url=base, headers=auth, timeout=120) as http:
                # wait until the warm pool holds a ready runtime
                await wait_pool(http)
                idle_service_rss = rss_of(cproc.pid)
                # The first notebook after start: create + session + first result.
                t_first = time.perf_counter()
                nb = (await http.post("/api/notebooks", json={"name": "a.ipynb"})).json()
                sess = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                conn = KernelConnection(
                    f"ws://127.0.0.1:{cport}{sess['channels_url']}", auth, protocol="v1"
                )
                async with conn:
                    await conn.execute("1+1")
                    first_notebook = time.perf_counter() - t_first
                await wait_pool(http)  # the pool refills: a new session gets a warm runtime
                nb = (await http.post("/api/notebooks", json={"name": "b.ipynb"})).json()
                t0 = time.perf_counter()
                sess = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                conn = KernelConnection(
                    f"ws://127.0.0.1:{cport}{sess['channels_url']}", auth, protocol="v1"
                )
                async with conn:
                    await conn.execute("1+1")
                    first_result = time.perf_counter() - t0
                    runtime_rss = sum(rss_of(p) for p in runtime_pids(sess["runtime_id"]))
                    c_rt, z_rt = await interleaved(conn, zmq_floor, runs)
                    zmq_floor.close()
                    c_print = await timed_execute(conn, PRINT_LINES)

        # --- marimo edit start ------------------------------------------------------
        marimo = shutil.which("marimo", path=str(BIN))
        m_start = None
        if marimo:
            mport = free_port()
            m_start = serve_start(
                [marimo, "edit", "--headless", "--no-token", "--port", str(mport)],
                f"http://127.0.0.1:{mport}/",
                cwd=str(work),
            )

        def ms(v: float) -> str:
            return f"{v * 1000:.1f} ms"

        floor = statistics.median(z_rt)
        rows += [
            (
                "1+1 round trip, ZMQ direct (floor), median / p95",
                f"{ms(floor)} / {ms(pct(z_rt, 0.95))}",
                "1.00x",
            ),
            (
                "1+1 round trip, cloudbook proxy, median / p95",
                f"{ms(statistics.median(c_rt))} / {ms(pct(c_rt, 0.95))}",
                f"{statistics.median(c_rt) / floor:.2f}x (target <= 1.3x)",
            ),
            (
                "1+1 round trip, stock jupyter server WS, median / p95",
                f"{ms(statistics.median(j_rt))} / {ms(pct(j_rt, 0.95))}",
                f"{statistics.median(j_rt) / floor:.2f}x",
            ),
            ("new session -> first 1+1 result (warm pool)", ms(first_result), "target <= 150 ms"),
            (
                "first notebook after start: create + session + first 1+1",
                ms(first_notebook),
                "target <= 150 ms",
            ),
            (
                "start -> first 200 of page: cloudbook serve",
                ms(c_start),
                f"{c_start / m_start:.2f}x marimo" if m_start else "marimo not installed",
            ),
            ("start -> first 200 of page: marimo edit", ms(m_start) if m_start else "n/a", ""),
            ("start -> first 200: jupyter server", ms(j_start), ""),
            (
                "print 100,000 lines -> idle: cloudbook",
                ms(c_print),
                f"{c_print / j_print:.2f}x jupyter_server",
            ),
            ("print 100,000 lines -> idle: jupyter server", ms(j_print), ""),
            (
                "RSS idle service process (runtimes not counted)",
                f"{idle_service_rss / 2**20:.0f} MiB",
                "",
            ),
            (
                "RSS plain jupyter server + one idle kernel",
                f"{j_rss / 2**20:.0f} MiB",
                "",
            ),
            (
                "RSS one attached runtime (bwrap + server + kernel)",
                f"{runtime_rss / 2**20:.0f} MiB",
                "",
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"# cloudbook benchmark — {time.strftime('%Y-%m-%d')} — {platform.node()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(f"| measure ({runs} runs for round trips) | value | ratio |")
    print("| --- | --- | --- |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


async def wait_pool(http: httpx.AsyncClient, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await http.get("/api/health")
        if r.status_code == 200 and r.json().get("pool_ready"):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("warm pool did not fill")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.runs))
    sys.exit(0)
