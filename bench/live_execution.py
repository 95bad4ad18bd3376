"""`python -m bench.live_execution`: cells run by the service, against the direct path.

1. `1+1`: from asking to the result being in what a page shows. Direct: the page's own
   kernel socket through the service's proxy (execute_request → execute_result).
   Service: `POST /execute`, then the result arriving in a y-websocket peer of the
   notebook's live document (the page's view). Ratio service / direct (target ≤ 1.2).
2. Typing while a cell prints 100,000 lines: one peer inserts a character in another cell,
   time until a second peer sees it; idle vs during the print (p50/p95).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.procs import BIN, free_port, process, wait_http
from cloudbook.runtimes.kernel_client import KernelConnection
from tests.live.api import notebook
from tests.server.ydoc_client import Peer, peer

PRINT = "for i in range(100_000):\n    print(i)"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _cell(page: Peer, cell_id: str) -> Any:
    return next(c for c in page.notebook.ycells if c["id"] == cell_id)


def _has_result(page: Peer) -> bool:
    cell = _cell(page, "one")
    return cell["execution_state"] == "idle" and any(
        o["output_type"] == "execute_result" for o in cell["outputs"]
    )


async def direct_round_trips(base: str, token: str, nb: str, n: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=120) as http:
        session = (await http.post(f"/api/notebooks/{nb}/session")).json()
    url = "ws" + base[len("http") :] + session["channels_url"]
    times = []
    async with KernelConnection(url, _auth(token), "v1") as conn:
        await conn.execute("1+1")
        for _ in range(n):
            start = time.perf_counter()
            result = await conn.execute("1+1")
            times.append(time.perf_counter() - start)
            assert any(m["header"]["msg_type"] == "execute_result" for m in result.iopub)
    return times


async def service_round_trips(base: str, token: str, nb: str, n: int) -> list[float]:
    ws_base = "ws" + base[len("http") :]
    times = []
    async with (
        httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=120) as http,
        peer(ws_base, nb, token) as page,
    ):
        body = {"cell_ids": ["one"], "client_id": page.doc.client_id}
        for i in range(n + 1):
            await page.until(lambda: _cell(page, "one")["execution_state"] == "idle")
            start = time.perf_counter()
            count = _cell(page, "one")["execution_count"]
            r = await http.post(f"/api/notebooks/{nb}/execute", json=body)
            assert r.status_code == 202, r.text
            await page.until(
                lambda c=count: _has_result(page) and _cell(page, "one")["execution_count"] != c
            )
            if i:  # the first one connects the executor
                times.append(time.perf_counter() - start)
    return times


async def keystrokes(base: str, token: str, nb: str, n: int, printing: bool) -> list[float]:
    ws_base = "ws" + base[len("http") :]
    times = []
    async with (
        httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=120) as http,
        peer(ws_base, nb, token) as typist,
        peer(ws_base, nb, token) as watcher,
    ):
        if printing:
            r = await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["print"]})
            assert r.status_code == 202
            await watcher.until(lambda: _cell(watcher, "print")["execution_state"] == "running")
        for _ in range(n):
            source = _cell(typist, "edit")["source"]
            expected = len(source) + 1
            start = time.perf_counter()
            source += "x"
            await watcher.until(lambda e=expected: len(_cell(watcher, "edit")["source"]) == e)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)  # typing speed: 50 keys a second
        if printing:
            still = _cell(watcher, "print")["execution_state"] != "idle"
            print(f"  (the print was {'still running' if still else 'done'} at the last key)")
            await watcher.until(lambda: _cell(watcher, "print")["execution_state"] == "idle", 300)
    return times


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def measure(base: str, token: str, n: int) -> None:
    async with httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=60) as http:
        cells = {"one": "1+1", "edit": "", "print": PRINT}
        r = await http.post("/api/notebooks", json={"name": "b.ipynb", "content": notebook(cells)})
        nb = r.json()["id"]
    direct = await direct_round_trips(base, token, nb, n)
    service = await service_round_trips(base, token, nb, n)
    d50, s50 = pct(direct, 0.5) * 1000, pct(service, 0.5) * 1000
    d95, s95 = pct(direct, 0.95) * 1000, pct(service, 0.95) * 1000
    print(f"1+1 direct (kernel socket via proxy): p50 {d50:.1f} ms p95 {d95:.1f} ms")
    print(f"1+1 service executor → live doc peer: p50 {s50:.1f} ms p95 {s95:.1f} ms")
    print(f"ratio service/direct (p50): {s50 / d50:.2f} (target ≤ 1.2)")
    idle = await keystrokes(base, token, nb, n, printing=False)
    busy = await keystrokes(base, token, nb, n, printing=True)
    for label, values in (("idle", idle), ("during a 100,000-line print", busy)):
        print(
            f"keystroke → second peer, {label}: p50 {pct(values, 0.5) * 1000:.1f} ms "
            f"p95 {pct(values, 0.95) * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "cb"
        cli = [str(BIN / "cloudbook")]
        subprocess.run(
            [*cli, "user", "add", "bench", "--password-stdin", "--data-dir", str(data)],
            input="bench-password\n",
            text=True,
            check=True,
            capture_output=True,
        )
        token = subprocess.run(
            [*cli, "token", "create", "bench", "--data-dir", str(data)],
            text=True,
            check=True,
            capture_output=True,
        ).stdout.strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [*cli, "serve", "--no-browser", "--port", str(port), "--data-dir", str(data)]
        env = {"CLOUDBOOK_POOL_SIZE": "1", "CLOUDBOOK_LIVE_DOCUMENTS": "1"}
        with process(cmd, env=env):
            wait_http(base + "/api/health", timeout=90)
            asyncio.run(measure(base, token, args.n))


if __name__ == "__main__":
    main()
