"""SIGTERM to `cloudbook serve` while the service runs a cell: on restart the notebook has
every output that arrived before the signal, and nothing claims to still run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live.api import LOOP, notebook, stdout


def _cli(data: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cloudbook", *args, "--data-dir", str(data)],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )
    return done.stdout.strip()


class Serve:
    """One `cloudbook serve` process on a data dir (started again after a stop)."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data = data
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self, same_port: bool = False) -> None:
        """Start; `same_port` again on the port it had (a page's URL stays valid)."""
        if same_port and self.base:
            port = int(self.base.rsplit(":", 1)[1])
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        with self.log.open("ab") as log:
            self.proc = self._spawn(port, log)
        self._wait_ready()

    def _spawn(self, port: int, log: object) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "cloudbook", "serve", "--no-browser"),
                *("--port", str(port), "--data-dir", str(self.data)),
            ],
            stdout=log,  # type: ignore[arg-type]
            stderr=subprocess.STDOUT,
            env={**os.environ, "CLOUDBOOK_POOL_SIZE": "1", "CLOUDBOOK_LIVE_DOCUMENTS": "1"},
        )

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).json().get("pool_ready"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("cloudbook serve did not start")

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path / "data", tmp_path / "serve.log")
    yield server
    server.terminate()


def _saved(http: httpx.Client, nb: str) -> dict[str, object]:
    cells = http.get(f"/api/notebooks/{nb}").json()["content"]["cells"]
    return next(c for c in cells if c["id"] == "loop")


def test_sigterm_mid_run_keeps_every_output_that_arrived(serve: Serve) -> None:
    _cli(serve.data, "user", "add", "alice", "--password-stdin", stdin="alice-password\n")
    token = _cli(serve.data, "token", "create", "alice")
    serve.start()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=serve.base, headers=headers, timeout=60) as http:
        r = http.post(
            "/api/notebooks", json={"name": "t.ipynb", "content": notebook({"loop": LOOP})}
        )
        nb = r.json()["id"]
        r = http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["loop"]})
        assert r.status_code == 202, r.text
        # No page: wait until the service has saved a few lines on its own.
        deadline = time.monotonic() + 60
        seen = ""
        while seen.count("\n") < 3:
            assert time.monotonic() < deadline, "no output was saved"
            seen = stdout(_saved(http, nb))  # type: ignore[arg-type]
            time.sleep(0.1)
    serve.terminate()
    serve.start()
    with httpx.Client(base_url=serve.base, headers=headers, timeout=60) as http:
        cell = _saved(http, nb)
        state = http.get(f"/api/notebooks/{nb}/execution").json()
    text = stdout(cell)  # type: ignore[arg-type]
    lines = text.splitlines()
    # Every line seen before the signal and all that followed until it, in order.
    assert text.startswith(seen)
    assert lines == [str(i) for i in range(len(lines))]
    assert len(lines) < 20
    assert cell["outputs"][-1]["ename"] == "ServiceStopped"  # type: ignore[index]
    assert state == {"running": None, "queued": [], "requests": {}}
