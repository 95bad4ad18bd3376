"""Browser tests: Debian's Chromium driven by Playwright against a real `cloudbook serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bench.browser import CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@dataclass
class Served:
    base: str
    data_dir: Path
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment of the served cloudbook (a test module may override it)."""
    return {}


@pytest.fixture
def cloudbook_server(tmp_path: Path, server_env: dict[str, str]) -> Iterator[Served]:
    data = tmp_path / "data"
    user, password = "alice", "alice-password"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cloudbook",
            "user",
            "add",
            user,
            "--password-stdin",
            "--data-dir",
            str(data),
        ],
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
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
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "CLOUDBOOK_POOL_SIZE": "1", **server_env},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            if httpx.get(f"{base}/api/health", timeout=2).json().get("pool_ready"):
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    try:
        yield Served(base=base, data_dir=data, user=user, password=password)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
