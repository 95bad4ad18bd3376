"""Starting and measuring the processes a benchmark compares."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60, ok: tuple[int, ...] = (200,)) -> float:
    """Poll until the URL answers with one of `ok`; return the time it took."""
    start = time.perf_counter()
    deadline = start + timeout
    while time.perf_counter() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code in ok:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise TimeoutError(url)


def rss_of(pid: int) -> int:
    import psutil

    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def rss_of_tree(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


@contextmanager
def process(
    cmd: list[str],
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log is not None and not isinstance(out, int):
            out.close()


def add_user_with_token(data: Path, name: str, password: str) -> str:
    """Create a cloudbook user in ``data`` (no server needed) and return an API token."""
    cli = str(BIN / "cloudbook")
    subprocess.run(
        [cli, "user", "add", name, "--password-stdin", "--data-dir", str(data)],
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    made = subprocess.run(
        [cli, "token", "create", name, "--data-dir", str(data)],
        text=True,
        check=True,
        capture_output=True,
    )
    return made.stdout.strip()


def print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
