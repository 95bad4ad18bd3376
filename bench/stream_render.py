"""`python -m bench.stream_render`: a cell printing 100,000 lines in cloudbook, in Chromium.

For each way of printing: time from Shift+Enter to the last line being on screen, the
longest main-thread task and the longest gap between animation frames meanwhile (a
frozen page shows up as a long gap even when the end state arrives quickly).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.browser import (
    OBSERVE,
    chromium,
    cloudbook_serve,
    create_notebook,
    logged_in_context,
    workdir,
)

CASES = {
    "print per line": "for i in range(100_000):\n    print(i)",
    # One message per line: 20,000 (the kernel alone needs ~10 s for them here).
    "20,000 x print(flush=True)": ("for i in range(80_000, 100_000):\n    print(i, flush=True)"),
    "one big print": "print('\\n'.join(str(i) for i in range(100_000)))",
    "5,000 \\r progress updates": (
        "import sys\nfor i in range(5_000):\n"
        "    sys.stdout.write(f'\\r{i:6d} done'); sys.stdout.flush()\nprint()\nprint(99999)"
    ),
}

LIMIT_MS = 120_000

DONE_JS = """(i) => {
  const out = document.querySelectorAll('[data-testid=outputs]')[i];
  const text = out ? out.textContent : '';
  if (!/(^|\\n)99999\\n?$/.test(text.trimEnd() + '\\n')) return false;
  if (document.querySelectorAll('[data-testid=cell]')[i].dataset.state) return false;
  return performance.now();
}"""


def measure(context: Any, url: str, index: int) -> dict[str, float]:
    page = context.new_page()
    try:
        page.add_init_script(OBSERVE)
        page.goto(url)
        cell = page.get_by_test_id("cell")
        # Attach a runtime first: the first run's connect is not what is measured.
        cell.nth(0).locator(".editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=outputs]').textContent.includes('ready')",
            timeout=90_000,
        )
        cell.nth(index).locator(".editor").click()
        page.evaluate("window.__bench.longest = 0; window.__bench.gap = 0")
        page.evaluate(
            "addEventListener('keydown', () => { window.__bench.t0 = performance.now();"
            " window.__bench.watch = true; }, {capture: true, once: true})"
        )
        page.keyboard.press("Control+Enter")
        try:
            done = page.wait_for_function(DONE_JS, arg=index, timeout=LIMIT_MS, polling="raf")
            end = float(done.json_value())
        except PlaywrightTimeout:
            end = math.inf
            page.get_by_test_id("interrupt").click()
        stats = page.evaluate("({...window.__bench})")
        return {
            "visible": end - stats["t0"],
            "longtask": float(stats["longest"]),
            "gap": float(stats["gap"]),
        }
    finally:
        page.close()


def kernel_alone(code: str) -> float:
    """The same code on a kernel reached straight over ZMQ: what no front end can beat."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        t = time.perf_counter()
        kc.execute_interactive(code, timeout=300, output_hook=lambda m: None)
        return (time.perf_counter() - t) * 1000
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(runs: int) -> None:
    work = workdir()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        with chromium() as browser, cloudbook_serve(work) as cb:
            context = logged_in_context(browser, cb)
            cells = [{"cell_type": "code", "source": "print('ready')", "metadata": {}}]
            for code in CASES.values():
                cells.append({"cell_type": "code", "source": code, "metadata": {}})
            for cell in cells:
                cell.update(outputs=[], execution_count=None)
            content = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}
            for _ in range(runs):
                for i, name in enumerate(CASES, start=1):
                    nb_id = create_notebook(context, cb, f"streams-{i}-{_}.ipynb", content)
                    url = f"{cb.base}/notebooks/{nb_id}"
                    row = measure(context, url, i)
                    row["kernel"] = kernel_alone(CASES[name])
                    results.setdefault(name, []).append(row)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# 100,000 lines of output in one cell, median of {runs}")
    print("| case | kernel alone (ZMQ) | run -> last line on screen | longest task | frame gap |")
    print("| --- | --- | --- | --- | --- |")
    for name, rows in results.items():
        keys = ("kernel", "visible", "longtask", "gap")
        cols = [statistics.median(r[k] for r in rows) for k in keys]
        shown = [f"{v:.0f} ms" if v != math.inf else f"> {LIMIT_MS // 1000} s" for v in cols]
        print(f"| {name} | " + " | ".join(shown) + " |")
    print("runs:", json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.stream_render")
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
