"""`python -m bench.live_keystroke`: live documents (docs/live.md) on this machine.

1. Keystroke in one page -> visible in a second page of the same notebook (p50/p95 of
   60 keys; target p95 <= 50 ms), beside the same pages with live documents off, where
   the second page never sees it (the PUT autosave path has no fan-out): that path's
   figure is the time until the first page's save is on the server.
2. The 500-cell notebook (10 KB of output per cell) interactive with live documents on:
   navigation start -> every cell in the page, the last output shown, and the document
   synced with the service (target < 1.5 s).
3. Memory of the service (RSS): per open 500-cell notebook (the first page) and per
   further connected page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

from bench.browser import OBSERVE, chromium, cloudbook_serve, create_notebook, workdir
from bench.browser import logged_in_context as context_of
from bench.notebooks import LAST_MARKER, big_notebook
from bench.procs import rss_of

LIVE = {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}
OFF = {"CLOUDBOOK_LIVE_DOCUMENTS": "0"}  # the older path (the default), explicitly

# The second page notes when the first cell's editor holds `n` characters.
WATCH_JS = """() => {
  window.__seen = {};
  const el = document.querySelector('[data-testid=cell] .cm-content');
  const text = () => [...el.querySelectorAll('.cm-line')].map((l) => {
    const c = l.cloneNode(true);
    c.querySelectorAll('.cm-ySelectionCaret').forEach((x) => x.remove());
    return c.textContent.replace(/\\u2060/g, '');
  }).join('\\n');
  new MutationObserver(() => {
    const n = text().length;
    if (!(n in window.__seen)) window.__seen[n] = performance.timeOrigin + performance.now();
  }).observe(el, {subtree: true, childList: true, characterData: true});
}"""
READY_OFF_JS = """([marker, n]) => {
  const cells = document.querySelectorAll('[data-testid=cell]');
  if (cells.length !== n) return false;
  const out = cells[n - 1].querySelector('[data-testid=outputs]');
  return Boolean(out && out.textContent.includes(marker));
}"""
NOW_JS = "() => performance.timeOrigin + performance.now()"
READY_JS = """([marker, n]) => {
  const cells = document.querySelectorAll('[data-testid=cell]');
  if (cells.length !== n) return false;
  const out = cells[n - 1].querySelector('[data-testid=outputs]');
  if (!out || !out.textContent.includes(marker)) return false;
  const state = document.querySelector('[data-testid=save-state]');
  return Boolean(state && state.dataset.synced === 'true');
}"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def keystrokes(browser: Any, cb: Any, keys: int) -> list[float]:
    ctx = context_of(browser, cb)
    nb = create_notebook(ctx, cb, "keys.ipynb", notebook_of(["x = 1"]))
    url = f"{cb.base}/notebooks/{nb}"
    one, two = ctx.new_page(), ctx.new_page()
    for p in (one, two):
        p.goto(url)
        p.wait_for_selector("[data-testid=save-state][data-synced=true]")
    two.evaluate(WATCH_JS)
    one.locator("[data-testid=cell] .cm-content").first.click()
    one.keyboard.press("Control+End")
    times = []
    length = len("x = 1")
    for i in range(keys):
        sent = one.evaluate(NOW_JS)
        one.keyboard.type("abcdefghij"[i % 10])
        length += 1
        seen = two.wait_for_function(f"() => window.__seen[{length}]").json_value()
        times.append(float(seen) - float(sent))
    ctx.close()
    return times


def notebook_of(sources: list[str]) -> dict[str, Any]:
    cells = [
        {"cell_type": "code", "id": f"c{i}", "source": s, "metadata": {}, "outputs": []}
        for i, s in enumerate(sources)
    ]
    for c in cells:
        c["execution_count"] = None
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def opens(browser: Any, cb: Any, live: bool, runs: int = 3) -> list[float]:
    """Times to interactive of the 500-cell notebook, each open after the last page closed
    (with live documents, the service then loads the document again)."""
    ctx = context_of(browser, cb)
    ctx.add_init_script(OBSERVE)
    nb = create_notebook(ctx, cb, "big.ipynb", big_notebook(500, 10_000))
    times = []
    for _ in range(runs):
        page = ctx.new_page()
        page.goto(f"{cb.base}/notebooks/{nb}")
        ready = READY_JS if live else READY_OFF_JS
        page.wait_for_function(ready, arg=[LAST_MARKER, 500], timeout=90_000, polling="raf")
        times.append(float(page.evaluate("() => performance.now()")))
        page.close()
    ctx.close()
    return times


def memory(browser: Any, cb: Any, pages: int) -> tuple[int, list[int]]:
    """RSS of the service before the 500-cell notebook is opened, then with 1..pages pages."""
    ctx = context_of(browser, cb)
    nb = create_notebook(ctx, cb, "mem.ipynb", big_notebook(500, 10_000))
    before = rss_of(cb.pid)
    held, rss = [], []
    for _ in range(pages):
        page = ctx.new_page()
        page.goto(f"{cb.base}/notebooks/{nb}")
        page.wait_for_function(READY_JS, arg=[LAST_MARKER, 500], timeout=90_000, polling="raf")
        held.append(page)
        rss.append(rss_of(cb.pid))
    ctx.close()
    return before, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    work = workdir()
    (work / "off").mkdir()
    (work / "on").mkdir()
    with chromium() as browser:
        with cloudbook_serve(work / "off", pool_size=0, env=OFF) as cb:
            off = opens(browser, cb, live=False)
        with cloudbook_serve(work / "on", pool_size=0, env=LIVE) as cb:
            keys = keystrokes(browser, cb, args.keys)
            before, rss = memory(browser, cb, args.pages)
            on = opens(browser, cb, live=True)
    mib = 1024 * 1024
    print(
        f"keystroke -> second page, {len(keys)} keys: p50 {pct(keys, 0.5):.1f} ms, "
        f"p95 {pct(keys, 0.95):.1f} ms, max {max(keys):.1f} ms"
    )
    for name, times in (("off", off), ("on", on)):
        print(
            f"500-cell notebook interactive, live documents {name}: median "
            f"{statistics.median(times):.0f} ms of {', '.join(f'{t:.0f}' for t in times)}"
        )
    print(f"ratio on/off: {statistics.median(on) / statistics.median(off):.2f}x")
    print(
        f"service RSS: {before / mib:.0f} MiB before the 500-cell notebook was opened; "
        f"+{(rss[0] - before) / mib:.1f} MiB with the 500-cell notebook open in one page; "
        f"+{(rss[-1] - rss[0]) / mib / max(1, len(rss) - 1):.2f} MiB per further page "
        f"({', '.join(f'{r / mib:.0f}' for r in rss)} MiB)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
