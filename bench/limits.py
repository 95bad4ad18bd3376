"""What runtime limits cost: the bounded disk at runtime start/stop, the output cap per
kernel message in the proxy, and `1+1` / a 100,000-line print through a real
`cloudbook serve` with the caps on against the same service with them off.

    python -m bench.limits [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bench.__main__ import PRINT_LINES, timed_execute, wait_pool
from bench.procs import BIN, free_port, process, wait_http
from cloudbook.runtimes.disk import disk_mechanism, prepare_disk, release_disk
from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL, encode_v1
from cloudbook.server.kernel_proxy.output_cap import OutputCap


def v1_frame(msg_type: str, content: dict[str, object], parent_id: str) -> bytes:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "s", "version": "5.3"}
    parent = {"msg_id": parent_id, "msg_type": "execute_request", "session": "s"}
    parts = [json.dumps(x).encode() for x in (header, parent, {}, content)]
    return encode_v1("iopub", parts)


def bench_cap(n: int = 20_000) -> dict[str, float]:
    cap = OutputCap(8 * 1024 * 1024, 32 * 1024 * 1024, V1_SUBPROTOCOL)
    frames = {
        "stream 100 B": v1_frame("stream", {"name": "stdout", "text": "x" * 100}, "p"),
        "execute_reply-like (not output)": v1_frame("comm_msg", {"data": {}}, "p"),
        "status": v1_frame("status", {"execution_state": "busy"}, "p"),
    }
    out: dict[str, float] = {}
    for name, frame in frames.items():
        started = time.perf_counter()
        for _ in range(n):
            for _f in cap.apply(frame):
                pass
        out[name] = (time.perf_counter() - started) / n * 1e6
    return out


def bench_disk(rounds: int = 5) -> dict[str, float] | None:
    if disk_mechanism() == "none":
        return None
    prepare, release = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "runtime"
        for _ in range(rounds):
            t0 = time.perf_counter()
            prepare_disk(folder, 50 * 1024**3)
            t1 = time.perf_counter()
            release_disk(folder)
            shutil.rmtree(folder)
            release.append(time.perf_counter() - t1)
            prepare.append(t1 - t0)
    return {
        "prepare ms": statistics.median(prepare) * 1000,
        "release ms": statistics.median(release) * 1000,
    }


@contextlib.asynccontextmanager
async def served(caps: bool) -> AsyncIterator[KernelConnection]:
    """A kernel connection through a fresh `cloudbook serve` with output caps on or off
    (connected only once entered: jupyter_server closes idle kernel sockets after 30 s
    on main, see issue 9, and a service takes longer than that to start here)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        cloudbook = str(BIN / "cloudbook")
        subprocess.run(
            [cloudbook, "user", "add", "bench", "--password-stdin", "--data-dir", str(data)],
            input="bench-password\n",
            text=True,
            check=True,
            capture_output=True,
        )
        token = subprocess.run(
            [cloudbook, "token", "create", "bench", "--data-dir", str(data)],
            text=True,
            check=True,
            capture_output=True,
        ).stdout.strip()
        port = free_port()
        env = {**os.environ}
        if not caps:
            env["CLOUDBOOK_OUTPUT_MESSAGE_MAX_BYTES"] = "0"
            env["CLOUDBOOK_OUTPUT_CELL_MAX_BYTES"] = "0"
        cmd = [cloudbook, "serve", "--no-browser", "--port", str(port), "--data-dir", str(data)]
        auth = {"Authorization": f"Bearer {token}"}
        with process(cmd, env=env):
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/")
            async with httpx.AsyncClient(base_url=base, headers=auth, timeout=120) as http:
                await wait_pool(http)
                nb = (await http.post("/api/notebooks", json={"name": "b.ipynb"})).json()
                sess = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                url = f"ws://127.0.0.1:{port}{sess['channels_url']}"
                yield KernelConnection(url, auth, protocol="v1")


async def compare_served(runs: int, chunk: int = 40) -> None:
    """Both services up at once, round trips interleaved, so machine load hits both alike.
    Fresh kernel connections per chunk: on main jupyter_server drops a kernel socket
    after ~30 s (issue 9)."""
    async with served(False) as off_conn, served(True) as on_conn:
        pair = ((False, off_conn), (True, on_conn))
        times: dict[bool, list[float]] = {False: [], True: []}
        printed: dict[bool, list[float]] = {False: [], True: []}
        for start in range(0, runs, chunk):
            for _, conn in pair:
                conn.session = uuid.uuid4().hex  # a new upstream too, not a resumed one
                await conn.__aenter__()
                await conn.execute("1+1")
            for _ in range(min(chunk, runs - start)):
                for caps, conn in pair:
                    started = time.perf_counter()
                    assert (await conn.execute("1+1")).status == "ok"
                    times[caps].append(time.perf_counter() - started)
            for caps, conn in pair:
                printed[caps].append(await timed_execute(conn, PRINT_LINES, repeat=1))
                await conn.__aexit__(None, None, None)
    for caps in (False, True):
        t = sorted(times[caps])
        print(
            f"cloudbook serve, output caps {'on ' if caps else 'off'}: 1+1 median "
            f"{statistics.median(t) * 1000:.2f} ms, p90 {t[int(0.9 * len(t))] * 1000:.2f} ms;"
            f" 100,000-line print median {statistics.median(printed[caps]) * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.limits")
    parser.add_argument("--runs", type=int, default=200)
    asyncio.run(compare_served(parser.parse_args().runs))
    for name, micros in bench_cap().items():
        print(f"output cap, {name}: {micros:.1f} µs per frame")
    disk = bench_disk()
    if disk is None:
        print("bounded disk: not available here (needs root and loop devices)")
    else:
        print(f"bounded disk (50 GiB sparse ext4): {disk}")


if __name__ == "__main__":
    main()
