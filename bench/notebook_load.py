"""`python -m bench.notebook_load`: open the same 500-cell notebook (10 KB of output per
cell) in cloudbook and in JupyterLab, in one run, with Debian Chromium.

Time to interactive = navigation start -> every cell is in the page with the last
cell's output, and a keystroke typed into the first cell's editor has reached the
document model (cloudbook: the save label turns "Unsaved changes" -- with live
documents too, when the key came before the document's first sync -- or with live
documents the page is synced with the service's document and the key is in the
editor; JupyterLab: the tab gets its dirty mark). With live documents also *synced*:
navigation start -> the page holds the service's document (the key is then in it).
Also: the longest main-thread task while loading, and the longest frame gap while
scrolling to the last cell.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from typing import Any

from bench.browser import (
    OBSERVE,
    chromium,
    cloudbook_serve,
    create_notebook,
    logged_in_context,
    workdir,
)
from bench.notebooks import LAST_MARKER, big_notebook
from bench.procs import BIN, free_port, process, wait_http

READY_JS = """([cellSel, outSel, dirtySel, marker, n]) => {
  const cells = document.querySelectorAll(cellSel);
  if (cells.length !== n) return false;
  if (cells[0].textContent.split("#").length < 3) return false;  // the source has one
  const out = cells[n - 1].querySelector(outSel);
  if (!out || !out.textContent.includes(marker)) return false;
  if (!document.querySelector(dirtySel)) return false;
  return performance.now();
}"""

SYNCED_JS = """(sel) => document.querySelector(sel) ? performance.now() : false"""

SCROLL_JS = """async () => {
  window.__bench.gap = 0;
  window.__bench.watch = true;
  const el = document.scrollingElement;
  const scroller = [...document.querySelectorAll('.jp-WindowedPanel-outer')][0] || el;
  for (let i = 0; i < 40; i++) {
    scroller.scrollTop = (scroller.scrollHeight * (i + 1)) / 40;
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(r));
  window.__bench.watch = false;
  return window.__bench.gap;
}"""


class Target:
    name: str
    cell: str  # one cell
    output: str  # a cell's output area
    editor: str  # what a user clicks to type into the first cell
    dirty: str  # present once the model has the edit
    synced: str | None = None  # present once the page holds the service's document

    def url(self) -> str:
        raise NotImplementedError

    def new_context(self, browser: Any) -> Any:
        return browser.new_context(viewport={"width": 1280, "height": 900})


def measure(browser: Any, target: Target, cells: int) -> dict[str, float]:
    context = target.new_context(browser)
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE)
        page.goto(target.url(), wait_until="commit")
        first = page.locator(target.cell).first.locator(target.editor)
        first.click(timeout=60_000)
        page.keyboard.type("#")
        ready = page.wait_for_function(
            READY_JS,
            arg=[target.cell, target.output, target.dirty, LAST_MARKER, cells],
            timeout=120_000,
            polling="raf",
        ).json_value()
        result = {"tti": float(ready)}
        if target.synced:
            result["synced"] = float(
                page.wait_for_function(
                    SYNCED_JS, arg=target.synced, timeout=120_000, polling="raf"
                ).json_value()
            )
        result["longtask"] = float(page.evaluate("window.__bench.longest"))
        result["scroll_gap"] = float(page.evaluate(SCROLL_JS))
        return result
    finally:
        context.close()


class CloudbookTarget(Target):
    name = "cloudbook"
    cell = "[data-testid=cell]"
    output = "[data-testid=outputs]"
    editor = ".editor"
    dirty = "[data-testid=save-state][data-state=unsaved]"

    def __init__(
        self, browser: Any, cb: Any, content: dict[str, Any], live: bool, eager: bool = False
    ) -> None:
        self.cb = cb
        if eager:  # every cell laid out at open (lazy-cells.ts), to compare in one run
            self.name = "cloudbook-eager"
        if live:  # "unsaved" only before the first sync; after it edits go to the service
            self.synced = "[data-testid=save-state][data-synced=true]"
            self.dirty = f"[data-testid=save-state][data-state=unsaved], {self.synced}"
        ctx = logged_in_context(browser, cb)
        name = "big-eager.ipynb" if eager else "big.ipynb"
        self.nb_id = create_notebook(ctx, cb, name, content)
        self.state = ctx.storage_state()
        if eager:
            eager_key = {"name": "cloudbook.layout", "value": "eager"}
            self.state["origins"] = [{"origin": cb.base, "localStorage": [eager_key]}]
        ctx.close()

    def url(self) -> str:
        return f"{self.cb.base}/notebooks/{self.nb_id}"

    def new_context(self, browser: Any) -> Any:
        return browser.new_context(
            viewport={"width": 1280, "height": 900}, storage_state=self.state
        )


class JupyterLabTarget(Target):
    name = "JupyterLab"
    cell = ".jp-Notebook .jp-Cell"
    output = ".jp-OutputArea"
    editor = ".cm-content"
    dirty = ".lm-TabBar-tab.jp-mod-dirty"

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/big.ipynb?token={self.token}"


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms"


def main(runs: int, cells: int, live: bool = True, lab: bool = True, eager: bool = False) -> None:
    work = workdir()
    content = big_notebook(cells)
    results: dict[str, list[dict[str, float]]] = {}
    try:
        lab_root = work / "lab"
        lab_root.mkdir()
        (lab_root / "big.ipynb").write_text(json.dumps(content))
        port, token = free_port(), "bench-token"
        lab_cmd = [
            str(BIN / "jupyter-lab"),
            "--no-browser",
            f"--port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={lab_root}",
            f"--LabApp.workspaces_dir={work / 'lab-workspaces'}",
            f"--LabApp.user_settings_dir={work / 'lab-settings'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--allow-root",
        ]
        env = {"CLOUDBOOK_LIVE_DOCUMENTS": "1" if live else "0"}
        with (
            chromium() as browser,
            cloudbook_serve(work, env=env) as cb,
            process(lab_cmd if lab else ["sleep", "infinity"]),
        ):
            targets: list[Target] = [CloudbookTarget(browser, cb, content, live)]
            if eager:
                targets.append(CloudbookTarget(browser, cb, content, live, eager=True))
            if lab:
                wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=90)
                targets.append(JupyterLabTarget(port, token))
            # Alternate, so load from elsewhere on the machine hits both alike.
            for _ in range(runs):
                for target in targets:
                    results.setdefault(target.name, []).append(measure(browser, target, cells))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cbr = results["cloudbook"]
    cb_tti = statistics.median(r["tti"] for r in cbr)
    print(f"# {cells} code cells x 10 KB output, median of {runs}, live documents {live}")
    if not lab:
        print(f"cloudbook time to interactive: {cb_tti:.0f} ms (target < 1500 ms)")
        for name in ("cloudbook", "cloudbook-eager"):
            if name not in results:
                continue
            rs = results[name]
            print(f"{name} time to interactive: {fmt([r['tti'] for r in rs])}")
            for key in ("synced", "longtask", "scroll_gap"):
                if key in rs[0]:
                    print(f"{name} {key}: {fmt([r[key] for r in rs])}")
        print("runs:", json.dumps(results), file=sys.stderr)
        return
    lab = results["JupyterLab"]
    lab_tti = statistics.median(r["tti"] for r in lab)
    print("| measure | cloudbook | JupyterLab | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| time to interactive | {cb_tti:.0f} ms | {lab_tti:.0f} ms | {cb_tti / lab_tti:.2f}x |")
    for key, label in [
        ("longtask", "longest main-thread task while loading"),
        ("scroll_gap", "longest frame gap scrolling to the end"),
    ]:
        print(f"| {label} | {fmt([r[key] for r in cbr])} | {fmt([r[key] for r in lab])} | |")
    print("runs:", json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.notebook_load")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--no-live", action="store_true", help="live documents off")
    parser.add_argument("--no-lab", action="store_true", help="cloudbook only")
    parser.add_argument(
        "--eager", action="store_true", help="also open with every cell laid out at open"
    )
    args = parser.parse_args()
    main(args.runs, args.cells, live=not args.no_live, lab=not args.no_lab, eager=args.eager)
