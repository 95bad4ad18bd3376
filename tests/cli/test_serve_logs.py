"""`cloudbook serve` never writes a kernel-port proxy token or a query string to its log,
though uvicorn logs every WebSocket handshake with its path."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.cli.test_serve_process import free_port

pytestmark = pytest.mark.timeout(120)


def test_websocket_handshake_lines_hide_proxy_tokens(tmp_path: Path) -> None:
    port = free_port()
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
            str(tmp_path / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "CLOUDBOOK_POOL_SIZE": "0"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()["ready"]:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        async def knock() -> None:
            for path in (
                "/api/runtimes/r1/proxy/8000/PROXYTOKEN1234567890/socket?k=QUERYSECRET42",
                "/api/runtimes/r1/kernels/k1/channels?session_id=SESSIONQUERY77",
            ):
                with pytest.raises(InvalidStatus):
                    async with connect(f"ws://127.0.0.1:{port}{path}"):
                        pass

        asyncio.run(knock())
        httpx.get(f"http://127.0.0.1:{port}/login?token=LOGINLINKTOKEN99")
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    assert '"WebSocket /api/runtimes/r1/proxy/8000/***/socket?***"' in output  # it was logged
    for secret in ("PROXYTOKEN1234567890", "QUERYSECRET42", "SESSIONQUERY77", "LOGINLINKTOKEN99"):
        assert secret not in output
