"""`python -m bench.live_execution`: cells run by the service, against the direct path.

1. `1+1`: from asking to the result being in what a page shows. Direct: the page's own
   kernel socket through the service's proxy (execute_request → execute_result).
   Service: a RUN message on the page's live socket (what the page sends), or
   `POST /execute` (API clients), then the result arriving in a y-websocket peer of the
   notebook's live document (the page's view). Ratio service / direct (target ≤ 1.2).
   The paths alternate in rounds, so load from elsewhere hits them alike.
2. Typing while a cell prints 100,000 lines: one peer inserts a character in another cell,
   time until a second peer sees it; idle vs during the print (p50/p95).
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


RUN = b"\x65"  # cloudbook.live.socket_runs


async def one_plus_one(base: str, token: str, nb: str, n: int) -> dict[str, list[float]]:
    """The three paths, one after the other in each of ``n`` rounds (load from elsewhere
    on the machine hits them alike). For each: until the result is there to show (the
    page renders an output as it arrives: the execute_result message, or the output in
    the document), and until the run is done (execute_reply; the count and "idle" in the
    document)."""
    ws_base = "ws" + base[len("http") :]
    times: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=120) as http:
        session = (await http.post(f"/api/notebooks/{nb}/session")).json()
        url = ws_base + session["channels_url"]
        async with (
            KernelConnection(url, _auth(token), "v1") as conn,
            peer(ws_base, nb, token) as page,
        ):
            body = {"cell_ids": ["one"], "client_id": page.doc.client_id}

            async def direct(start: float) -> tuple[float, float]:
                seen: list[float] = []

                def on_iopub(msg: dict[str, Any]) -> None:
                    if msg["header"]["msg_type"] == "execute_result":
                        seen.append(time.perf_counter())

                await conn.execute("1+1", on_iopub=on_iopub)
                assert seen
                return seen[0] - start, time.perf_counter() - start

            async def service(start: float, socket: bool) -> tuple[float, float]:
                count = _cell(page, "one")["execution_count"]
                if socket:
                    await page.ws.send(RUN + json.dumps({"id": 1, **body}).encode())
                else:
                    r = await http.post(f"/api/notebooks/{nb}/execute", json=body)
                    assert r.status_code == 202, r.text
                await page.until(lambda c=count: _new_result(page, c))
                shown = time.perf_counter() - start
                await page.until(
                    lambda c=count: _has_result(page) and _cell(page, "one")["execution_count"] != c
                )
                return shown, time.perf_counter() - start

            steps = {
                "direct": direct,
                "socket": lambda t: service(t, True),
                "post": lambda t: service(t, False),
            }
            for i in range(n + 2):  # the first rounds connect the executor and warm up
                for name, step in steps.items():
                    await page.until(lambda: _cell(page, "one")["execution_state"] == "idle")
                    shown, done = await step(time.perf_counter())
                    if i >= 2:
                        times.setdefault(name, []).append(shown)
                        times.setdefault(name + " done", []).append(done)
    return times


def _new_result(page: Peer, old_count: Any) -> bool:
    """The new run's execute_result is in the document (its start cleared the old one
    and the count; the count comes back when it ends)."""
    cell = _cell(page, "one")
    return cell["execution_count"] != old_count and any(
        o["output_type"] == "execute_result" for o in cell["outputs"]
    )


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


async def measure(base: str, token: str, n: int, only_run: bool = False, pad: int = 0) -> None:
    async with httpx.AsyncClient(base_url=base, headers=_auth(token), timeout=60) as http:
        cells = {"one": "1+1", "edit": "", "print": PRINT}
        cells.update({f"pad{i}": f"x = {i}" for i in range(pad)})
        r = await http.post("/api/notebooks", json={"name": "b.ipynb", "content": notebook(cells)})
        nb = r.json()["id"]
    times = await one_plus_one(base, token, nb, n)
    label = {
        "direct": "direct (kernel socket via proxy)",
        "socket": "service, RUN on the live socket",
        "post": "service, POST /execute",
    }
    for what, suffix in (("result on screen", ""), ("run done", " done")):
        print(f"1+1 → {what} (p50 / p95 of {n}):")
        for key in ("direct", "socket", "post"):
            v = times[key + suffix]
            print(f"  {label[key]}: {pct(v, 0.5) * 1000:.1f} / {pct(v, 0.95) * 1000:.1f} ms")
        d50 = pct(times["direct" + suffix], 0.5)
        s50 = pct(times["socket" + suffix], 0.5)
        r50 = pct(times["post" + suffix], 0.5)
        print(f"  ratio live socket / direct: {s50 / d50:.2f}, POST / direct: {r50 / d50:.2f}")
    if only_run:
        return
    idle = await keystrokes(base, token, nb, n, printing=False)
    busy = await keystrokes(base, token, nb, n, printing=True)
    for label, values in (("idle", idle), ("during a 100,000-line print", busy)):
        print(
            f"keystroke → second peer, {label}: p50 {pct(values, 0.5) * 1000:.1f} ms "
            f"p95 {pct(values, 0.95) * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--only-run", action="store_true", help="skip the keystroke part")
    parser.add_argument("--pad", type=int, default=0, help="more cells in the notebook")
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
            asyncio.run(measure(base, token, args.n, args.only_run, args.pad))


if __name__ == "__main__":
    main()
