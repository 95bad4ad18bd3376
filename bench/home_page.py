"""`python -m bench.home_page`: the home page with 2,000 notebooks in the drive, in Chromium.

The notebooks are written straight into the user's drive folder (as a runtime or a copy
would), so the first listing also indexes them. Time to interactive = navigation start ->
every row is in the table and a character typed into the search box is in it. Also: the
listing API cold (first scan, 2,000 new ids) and warm (the rescan every listing does), and
the stat walk alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.browser import OBSERVE, PASSWORD, USER, chromium, cloudbook_serve, workdir
from bench.procs import BIN, free_port, process, wait_http
from cloudbook.drive import ops

# Interactive: the first screenful of rows is in the table and a character typed into the
# search box is in it. Complete: every row is in the table.
READY_JS = """([n]) => {
  const rows = document.querySelectorAll('tr[data-testid="row-notebook"]');
  const search = document.querySelector('[data-testid="search"]');
  if (rows.length < Math.min(n, 30) || !search || search.value !== 'x') return false;
  return performance.now();
}"""
COMPLETE_JS = """([n]) => {
  const rows = document.querySelectorAll('tr[data-testid="row-notebook"]');
  return rows.length === n && performance.now();
}"""

# JupyterLab's file browser on the same folder: items listed and a click on the first
# one has selected it.
LAB_READY_JS = """([n]) => {
  const items = document.querySelectorAll('.jp-DirListing-item');
  if (items.length < Math.min(n, 30)) return false;
  return !!document.querySelector('.jp-DirListing-item.jp-mod-selected') && performance.now();
}"""

NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}


def write_notebooks(drive: Path, n: int) -> None:
    data = json.dumps(NOTEBOOK)
    for i in range(n):
        (drive / f"notebook {i:04d}.ipynb").write_text(data)


def jupyterlab_times(browser: Any, folder: Path, n: int, runs: int) -> list[float]:
    """Time to interactive of JupyterLab's file browser on `folder` (the alternative)."""
    if not (BIN / "jupyter-lab").exists():
        return []
    port, token = free_port(), "bench-token"
    work = folder.parent
    cmd = [
        str(BIN / "jupyter-lab"),
        "--no-browser",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.workspaces_dir={work / 'lab-workspaces'}",
        f"--LabApp.user_settings_dir={work / 'lab-settings'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--allow-root",
    ]
    times = []
    with process(cmd):
        wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=90)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/lab?token={token}", wait_until="commit")
            page.locator(".jp-DirListing-item").first.click(timeout=120_000)
            ready = page.wait_for_function(LAB_READY_JS, arg=[n], timeout=120_000)
            times.append(float(ready.json_value()) / 1000)
            context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = workdir()
    try:
        with (
            cloudbook_serve(work, pool_size=0) as cb,
            httpx.Client(base_url=cb.base, timeout=120) as http,
        ):
            login = http.post("/api/auth/login", json={"name": USER, "password": PASSWORD})
            login.raise_for_status()
            http.headers["X-XSRF-Token"] = http.cookies["cloudbook_xsrf"]
            first = http.post("/api/notebooks", json={"name": "seed.ipynb"}).json()
            drive = next((cb.data_dir / "drive").glob("*/seed.ipynb")).parent
            write_notebooks(drive, args.notebooks - 1)
            t = time.perf_counter()
            listed = http.get("/api/notebooks", params={"folder": ""}).json()
            cold = time.perf_counter() - t
            assert len(listed["notebooks"]) == args.notebooks, len(listed["notebooks"])
            warm = []
            for _ in range(args.runs):
                t = time.perf_counter()
                http.get("/api/notebooks", params={"folder": ""}).raise_for_status()
                warm.append(time.perf_counter() - t)
            t = time.perf_counter()
            for _ in range(args.runs):
                ops.scan(drive)
            walk = (time.perf_counter() - t) / args.runs
            assert first["id"] in {n["id"] for n in listed["notebooks"]}

            tti, complete, longest, floor = [], [], [], []
            with chromium() as browser:
                for run in range(2 * args.runs):
                    # Odd runs: the empty Trash view, same page and server (the floor).
                    trash = run % 2 == 1
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    r = context.request.post(
                        cb.base + "/api/auth/login", data={"name": USER, "password": PASSWORD}
                    )
                    assert r.ok
                    page = context.new_page()
                    page.add_init_script(OBSERVE)
                    page.goto(cb.base + ("/?view=trash" if trash else "/"), wait_until="commit")
                    page.get_by_test_id("search").click(timeout=30_000)
                    page.keyboard.type("x")
                    if trash:
                        page.get_by_test_id("empty-state").wait_for()
                        floor.append(float(page.evaluate("performance.now()")) / 1000)
                        context.close()
                        continue
                    ready = page.wait_for_function(READY_JS, arg=[args.notebooks], timeout=60_000)
                    tti.append(float(ready.json_value()) / 1000)
                    done = page.wait_for_function(COMPLETE_JS, arg=[args.notebooks], timeout=60_000)
                    complete.append(float(done.json_value()) / 1000)
                    longest.append(float(page.evaluate("window.__bench.longest")) / 1000)
                    context.close()
                lab = jupyterlab_times(browser, drive, args.notebooks, args.runs)
        med = statistics.median
        lines = [
            (f"listing API, first (indexes {args.notebooks} new files)", cold),
            ("listing API, warm (rescan + store), median", med(warm)),
            ("stat walk of the folder alone", walk),
            (f"time to interactive, median of {args.runs}", med(tti)),
            ("the same page, empty Trash view (floor)", med(floor)),
            ("all rows in the table, median", med(complete)),
            ("longest main-thread task, median", med(longest)),
        ]
        if lab:
            lines.append(("JupyterLab file browser, same folder, median", med(lab)))
        print(f"home page, {args.notebooks} notebooks in one folder, Debian Chromium")
        for label, seconds in lines:
            print(f"  {label:<52} {seconds * 1000:7.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
