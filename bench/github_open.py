"""`python -m bench.github_open`: Open from GitHub against a loopback git server.

The server is tests/github/bridge.py (real `git http-backend`). Measured: the
`GET /api/github/open` route of an in-process app (shallow, blob-filtered fetch of
one path, then the one blob), for a 1 MB notebook in a repository that also holds
30 MB of other files; beside it the obvious alternative, a full `git clone --depth=1`
of the same repository. Medians of `--runs`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from cloudbook.settings import Settings
from tests.github.bridge import GitBridge


def one_mb_notebook() -> bytes:
    cells = [
        {
            "cell_type": "code",
            "id": f"c{i}",
            "metadata": {},
            "execution_count": i,
            "source": f"x{i} = {i}\nprint(x{i})",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "y" * 2000 + "\n"}],
        }
        for i in range(500)
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    return json.dumps(nb, indent=1).encode()


async def measure(runs: int) -> dict[str, list[float]]:
    from cloudbook.server.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="bench-github-"))
    bridge = GitBridge(tmp / "repos")
    bridge.start()
    nb = one_mb_notebook()
    other = {f"data/blob{i}.bin": os.urandom(1024 * 1024) for i in range(30)}
    bridge.create_repo("octo/big", {"notebooks/one-mb.ipynb": nb, **other})
    settings = Settings(
        data_dir=tmp / "data",
        pool_size=0,
        open_browser=False,
        git_base_url=f"{bridge.base_url}/git",
        git_api_url=f"{bridge.base_url}/api",
        git_allow_http=True,
    )
    app = create_app(settings, wait_ready=True)
    times: dict[str, list[float]] = {"cloudbook open (1 MB)": [], "git clone --depth=1": []}
    try:
        async with app.router.lifespan_context(app):
            await app.state.cloudbook.services.users.create("bench", "bench-password")
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as http:
                login = {"name": "bench", "password": "bench-password"}
                (await http.post("/api/auth/login", json=login)).raise_for_status()
                url = "/github/octo/big/blob/main/notebooks/one-mb.ipynb"
                for i in range(runs + 1):
                    t = time.perf_counter()
                    r = await http.get("/api/github/open", params={"url": url})
                    took = time.perf_counter() - t
                    assert r.status_code == 200, r.text
                    assert len(r.json()["content"]["cells"]) == 500
                    if i:  # the first run warms imports
                        times["cloudbook open (1 MB)"].append(took)
            for _ in range(runs):
                target = tmp / "clone"
                t = time.perf_counter()
                subprocess.run(
                    [
                        "git",
                        "clone",
                        "--quiet",
                        "--depth=1",
                        "--",
                        f"{bridge.base_url}/git/octo/big.git",
                        str(target),
                    ],
                    check=True,
                )
                json.loads((target / "notebooks" / "one-mb.ipynb").read_bytes())
                times["git clone --depth=1"].append(time.perf_counter() - t)
                shutil.rmtree(target)
    finally:
        bridge.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.github_open")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    times = asyncio.run(measure(args.runs))
    print(f"| measure | median | min | max | (runs: {args.runs}, load {os.getloadavg()[0]:.1f})")
    print("| --- | --- | --- | --- |")
    for name, values in times.items():
        ms = [v * 1000 for v in values]
        print(f"| {name} | {statistics.median(ms):.0f} ms | {min(ms):.0f} ms | {max(ms):.0f} ms |")


if __name__ == "__main__":
    main()
