"""`python -m bench.live_memory`: what live documents cost the service in memory.

`cloudbook serve` (live documents on, no runtime) holds 500-cell notebooks (10 KB of output
per cell, bench.notebooks) as shared documents. Measured (RSS of the service process):

1. per open notebook: the first y-websocket peer of each of `--notebooks` notebooks;
2. per connected page: `--peers` further peers of one notebook (a page is one such
   connection: sync + awareness; its own editor state lives in the browser).

Beside it, with `--ydoc-python PATH` (a Python with `jupyter-server-ydoc` installed, the
server half of JupyterLab's real-time collaboration): a plain `jupyter server` with that
extension, holding the same notebooks as rooms, measured the same way. A plain
jupyter_server without it holds nothing per open notebook (the page holds the notebook),
so that is the comparison that means something.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.browser import cloudbook_serve, workdir
from bench.notebooks import big_notebook
from bench.procs import add_user_with_token, free_port, process, rss_of, wait_http

MIB = 2**20
Figures = tuple[int, list[int], list[int]]


@asynccontextmanager
async def ws_peer(url: str, headers: dict[str, str]) -> AsyncIterator[None]:
    """One y-websocket peer, synced (pycrdt's Provider, as tests/server/ydoc_client.py)."""
    from pycrdt import Doc, Provider
    from websockets.asyncio.client import connect

    from tests.server.ydoc_client import _Channel

    async with connect(url, additional_headers=headers, max_size=None) as ws:
        doc: Doc[Any] = Doc()
        async with Provider(doc, _Channel(ws, url)) as provider:
            await provider.synced.wait()
            yield


async def settle(pid: int) -> int:
    """RSS once the service is done with what the last peer made it do."""
    last = rss_of(pid)
    for _ in range(20):
        await asyncio.sleep(0.25)
        now = rss_of(pid)
        if abs(now - last) < 256 * 1024:
            return now
        last = now
    return last


async def measure(pid: int, urls: list[str], headers: dict[str, str], peers: int) -> Figures:
    """RSS before; after the first peer of each notebook; after each further peer of the
    first notebook."""
    async with AsyncExitStack() as stack:
        before = await settle(pid)
        per_notebook = []
        for url in urls:
            await stack.enter_async_context(ws_peer(url, headers))
            per_notebook.append(await settle(pid))
        per_peer = []
        for _ in range(peers):
            await stack.enter_async_context(ws_peer(urls[0], headers))
            per_peer.append(await settle(pid))
    return before, per_notebook, per_peer


def slope(before: int, points: list[int]) -> float:
    steps = [b - a for a, b in zip([before, *points], points, strict=False)]
    return statistics.median(steps) / MIB


async def cloudbook_side(work: Path, notebooks: int, peers: int) -> Figures:
    env = {"CLOUDBOOK_LIVE_DOCUMENTS": "1", "CLOUDBOOK_LIVE_LINGER": "600"}
    with cloudbook_serve(work, pool_size=0, env=env) as cb:
        token = add_user_with_token(cb.data_dir, "memory", "memory-password")
        headers = {"Authorization": f"Bearer {token}"}
        ids = []
        async with httpx.AsyncClient(base_url=cb.base, headers=headers, timeout=120) as http:
            for i in range(notebooks):
                body = {"name": f"big{i}.ipynb", "content": big_notebook()}
                r = await http.post("/api/notebooks", json=body)
                r.raise_for_status()
                ids.append(r.json()["id"])
        ws = "ws" + cb.base[len("http") :]
        urls = [f"{ws}/api/notebooks/{i}/live" for i in ids]
        return await measure(cb.pid, urls, headers, peers)


async def ydoc_side(python: str, work: Path, notebooks: int, peers: int) -> Figures:
    root = work / "jupyter"
    root.mkdir()
    for i in range(notebooks):
        (root / f"big{i}.ipynb").write_text(json.dumps(big_notebook()))
    port, token = free_port(), "bench-token"
    cmd = [python, "-m", "jupyter_server", "--no-browser", f"--port={port}"]
    cmd += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"]
    # Its own data dir: the file-id database would otherwise go to ~/.local/share/jupyter.
    env = {f"JUPYTER_{d}_DIR": str(work / d.lower()) for d in ("DATA", "RUNTIME", "CONFIG")}
    for folder in env.values():
        Path(folder).mkdir()
    with process(cmd, env=env, cwd=str(root)) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/api/status?token={token}", timeout=120)
        headers = {"Authorization": f"token {token}"}
        urls = []
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
            for i in range(notebooks):
                r = await http.put(
                    f"/api/collaboration/session/big{i}.ipynb",
                    json={"format": "json", "type": "notebook"},
                )
                r.raise_for_status()
                s = r.json()
                urls.append(
                    f"ws://127.0.0.1:{port}/api/collaboration/room/"
                    f"json:notebook:{s['fileId']}?sessionId={s['sessionId']}"
                )
        return await measure(proc.pid, urls, headers, peers)


def report(name: str, result: Figures, file_mib: float) -> None:
    before, per_notebook, per_peer = result
    print(
        f"{name}: {before / MIB:.0f} MiB idle; per open 500-cell notebook "
        f"+{slope(before, per_notebook):.1f} MiB (median of {len(per_notebook)}; the .ipynb "
        f"is {file_mib:.1f} MiB); per further connected page "
        f"+{slope(per_notebook[-1], per_peer):.2f} MiB (median of {len(per_peer)})"
    )
    print(f"  RSS steps: {[round(r / MIB) for r in [before, *per_notebook, *per_peer]]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=4)
    parser.add_argument("--peers", type=int, default=8)
    parser.add_argument("--ydoc-python", help="a Python with jupyter-server-ydoc installed")
    args = parser.parse_args(argv)
    file_mib = len(json.dumps(big_notebook())) / MIB
    run: Callable[..., Any] = asyncio.run
    started = time.monotonic()
    report("cloudbook serve", run(cloudbook_side(workdir(), args.notebooks, args.peers)), file_mib)
    if args.ydoc_python:
        result = run(ydoc_side(args.ydoc_python, workdir(), args.notebooks, args.peers))
        report("jupyter_server + jupyter-server-ydoc", result, file_mib)
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
