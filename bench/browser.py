"""Shared parts of the browser benchmarks: a `cloudbook serve` with a user, and Chromium."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procs import BIN, free_port, process, wait_http

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
USER, PASSWORD = "bench", "bench-password"


@dataclass
class Cloudbook:
    base: str
    data_dir: Path
    pid: int = 0  # the service's process (memory figures)


@contextmanager
def cloudbook_serve(
    work: Path, pool_size: int = 1, env: dict[str, str] | None = None
) -> Iterator[Cloudbook]:
    data = work / "cb"
    subprocess.run(
        [str(BIN / "cloudbook"), "user", "add", USER, "--password-stdin", "--data-dir", str(data)],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(BIN / "cloudbook"), "serve", "--no-browser", "--port", str(port)]
    with process(
        [*cmd, "--data-dir", str(data)],
        env={"CLOUDBOOK_POOL_SIZE": str(pool_size), **(env or {})},
    ) as proc:
        wait_http(base + "/api/health", timeout=90)
        yield Cloudbook(base=base, data_dir=data, pid=proc.pid)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright (its own browser download cannot
    work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def logged_in_context(browser: Any, cb: Cloudbook) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    r = context.request.post(cb.base + "/api/auth/login", data={"name": USER, "password": PASSWORD})
    assert r.ok, r.text()
    return context


def create_notebook(context: Any, cb: Cloudbook, name: str, content: dict[str, Any]) -> str:
    xsrf = next(c["value"] for c in context.cookies() if c["name"] == "cloudbook_xsrf")
    r = context.request.post(
        cb.base + "/api/notebooks",
        data={"name": name, "content": content},
        headers={"X-XSRF-Token": xsrf},
    )
    assert r.ok, r.text()
    return str(r.json()["id"])


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cloudbook-bench-"))


# Installed in every page before its scripts run: the longest main-thread task and the
# longest gap between animation frames, so a freeze shows up even when the end state
# arrives quickly.
OBSERVE = """
window.__bench = {longest: 0, gap: 0};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__bench.longest = Math.max(window.__bench.longest, e.duration);
  }
}).observe({type: "longtask", buffered: true});
(() => {
  let last = performance.now();
  const tick = (t) => {
    if (window.__bench.watch) window.__bench.gap = Math.max(window.__bench.gap, t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""
