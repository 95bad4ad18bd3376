"""`cloudbook serve` as a process: first start, SIGTERM, SIGKILL and the next start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import runtime_pids

pytestmark = pytest.mark.timeout(240)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloudbook",
            "serve",
            "--no-browser",
            "--port",
            str(port),
            "--data-dir",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "CLOUDBOOK_POOL_SIZE": "1"},
    )


def wait_pool(port: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
            if health["pool_ready"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("warm pool never filled")


def wait_gone(ids: set[str], timeout: float = 30) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and runtime_pids(ids):
        time.sleep(0.1)
    return runtime_pids(ids)


def runtime_ids(data: Path) -> set[str]:
    root = data / "runtimes"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def test_first_start_prints_login_link_and_sigterm_leaves_nothing(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    proc = start(data, port)
    try:
        wait_pool(port, proc)
        ids = runtime_ids(data)
        assert ids and runtime_pids(ids)
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert f"cloudbook is running at http://127.0.0.1:{port}" in out
    assert f"http://127.0.0.1:{port}/login?token=" in out
    assert wait_gone(ids, timeout=5) == {}
    assert runtime_ids(data) == set()


def test_runtimes_of_a_killed_server_are_reclaimed_at_next_start(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    proc = start(data, port)
    wait_pool(port, proc)
    ids = runtime_ids(data)
    assert runtime_pids(ids)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    proc = start(data, port)
    try:
        wait_pool(port, proc)
        assert wait_gone(ids) == {}
        assert not (ids & runtime_ids(data))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
