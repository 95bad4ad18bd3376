"""A real ``jupyter server`` for tests, and a kernel WebSocket client speaking both framings.

Import the fixtures from ``tests/conftest.py``::

    from tests.jupyter_fixtures import jupyter_server, jupyter_server_process  # noqa: F401

``jupyter_server`` yields ``JupyterServer(url, token)`` (one server per test session;
tests start and delete their own kernels). ``KernelWsClient`` talks to any kernel
channels URL (a Jupyter server's or cloudbook's proxy) with the
``v1.kernel.websocket.jupyter.org`` binary protocol or the legacy JSON one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from cloudbook.runtimes.provider import Runtime

V1 = "v1.kernel.websocket.jupyter.org"
Message = dict[str, Any]
Protocol = Literal["v1", "legacy"]

# Loaded by a server started with nodelay=True: what cloudbook's runtime-side extension
# does in production (stock jupyter_server leaves Nagle's algorithm on for kernel sockets).
_NODELAY_CONFIG = """
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

_open = KernelWebsocketHandler.open

async def _open_nodelay(self, *args, **kwargs):
    self.set_nodelay(True)
    return await _open(self, *args, **kwargs)

KernelWebsocketHandler.open = _open_nodelay
"""


class JupyterServer(NamedTuple):
    url: str  # http://127.0.0.1:PORT, no trailing slash
    token: str

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http") :]

    def runtime(self, runtime_id: str = "test-runtime") -> Runtime:
        return Runtime(runtime_id=runtime_id, url=self.url, token=self.token, sandboxed=False)

    def channels_url(self, kernel_id: str) -> str:
        return f"{self.ws_url}/api/kernels/{kernel_id}/channels"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


@dataclass
class JupyterServerProcess:
    process: subprocess.Popen[bytes]
    info: JupyterServer
    root_dir: Path
    runtime_dir: Path  # holds kernel-<id>.json connection files (for direct ZMQ clients)
    log_path: Path

    def connection_file(self, kernel_id: str) -> Path:
        return self.runtime_dir / f"kernel-{kernel_id}.json"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextlib.contextmanager
def start_jupyter_server(
    base_dir: Path, *, nodelay: bool = False, timeout: float = 60.0
) -> Iterator[JupyterServerProcess]:
    """Start ``jupyter server`` on a free port (``--port=0``), wait until it answers, stop it."""
    root, runtime_dir, config_dir = base_dir / "root", base_dir / "runtime", base_dir / "config"
    for d in (root, runtime_dir, config_dir):
        d.mkdir(parents=True, exist_ok=True)
    if nodelay:
        (config_dir / "jupyter_server_config.py").write_text(_NODELAY_CONFIG)
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "JUPYTER_RUNTIME_DIR": str(runtime_dir),
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    log_path = base_dir / "jupyter_server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--allow-root",
                "--port=0",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.root_dir={root}",
            ],
            env=env,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernels die with its process group at teardown
        )
    handle = JupyterServerProcess(
        process=process,
        info=JupyterServer("", token),
        root_dir=root,
        runtime_dir=runtime_dir,
        log_path=log_path,
    )
    try:
        handle.info = JupyterServer(_wait_until_serving(handle, timeout), token)
        yield handle
    finally:
        _stop(process)


def _wait_until_serving(handle: JupyterServerProcess, timeout: float) -> str:
    """The server's URL once ``/api/status`` answers (the port is read from its info file)."""
    deadline = time.monotonic() + timeout
    info_file = handle.runtime_dir / f"jpserver-{handle.process.pid}.json"
    url = None
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"jupyter server exited early:\n{handle.log_tail()}")
        if url is None and info_file.exists():
            with contextlib.suppress(ValueError, KeyError):
                url = f"http://127.0.0.1:{json.loads(info_file.read_text())['port']}"
        if url is not None:
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(f"{url}/api/status", headers=handle.info.headers, timeout=5)
                if r.status_code == 200:
                    return url
        time.sleep(0.05)
    raise RuntimeError(f"jupyter server did not answer in {timeout} s:\n{handle.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # shuts its kernels down cleanly
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything left in its group (kernels)
    process.wait()


@pytest.fixture(scope="session")
def jupyter_server_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[JupyterServerProcess]:
    with start_jupyter_server(tmp_path_factory.mktemp("jupyter")) as handle:
        yield handle


@pytest.fixture(scope="session")
def jupyter_server(jupyter_server_process: JupyterServerProcess) -> JupyterServer:
    """(url, token) of a plain, real Jupyter server shared by the test session."""
    return jupyter_server_process.info


# --- kernel messages in both WebSocket framings ----------------------------------------------


def new_message(
    msg_type: str, content: dict[str, Any], session: str, channel: str = "shell"
) -> Message:
    msg_id = uuid.uuid4().hex
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "test",
            "session": session,
            "date": datetime.now(UTC).isoformat(),
            "version": "5.3",
        },
        "msg_id": msg_id,
        "msg_type": msg_type,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def encode_v1(msg: Message) -> bytes:
    """jupyter_server's ``serialize_msg_to_ws_v1``: 8-byte LE offsets, channel, parts."""
    parts = [
        json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")
    ]
    parts += [bytes(b) for b in msg.get("buffers", [])]
    channel: bytes = str(msg["channel"]).encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + channel + b"".join(parts)


def decode_v1(data: bytes) -> Message:
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    offsets.append(len(data))
    channel = data[offsets[0] : offsets[1]].decode()
    parts = [data[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    header, parent, metadata, content = (json.loads(p) for p in parts[:4])
    return {
        "channel": channel,
        "header": header,
        "msg_id": header.get("msg_id"),
        "msg_type": header.get("msg_type"),
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": parts[4:],
    }


def decode_legacy(data: str | bytes) -> Message:
    if isinstance(data, str):
        msg: Message = json.loads(data)
        msg.setdefault("buffers", [])
        return msg
    # Binary legacy framing (messages with buffers): big-endian 32-bit offsets.
    nbufs = int.from_bytes(data[:4], "big")
    offsets = [int.from_bytes(data[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(nbufs)]
    offsets.append(len(data))
    msg = json.loads(data[offsets[0] : offsets[1]])
    msg["buffers"] = [data[offsets[i] : offsets[i + 1]] for i in range(1, nbufs)]
    return msg


class KernelWsClient:
    """A minimal kernel client over one channels WebSocket, in either framing.

    ``url`` is a channels URL without query; ``session_id`` is sent as the query
    parameter and in every message header (reuse it to resume a session).
    """

    def __init__(
        self,
        url: str,
        *,
        protocol: Protocol = "v1",
        headers: dict[str, str] | None = None,
        session_id: str | None = None,
        open_timeout: float = 30,
        runtime: Runtime | None = None,
    ) -> None:
        """With ``runtime``, ``url`` is a path on its server (reached over its socket)."""
        self.runtime = runtime
        self.url = url
        self.protocol = protocol
        self.headers = headers or {}
        self.session_id = session_id or uuid.uuid4().hex
        self.open_timeout = open_timeout
        self.ws: ClientConnection | None = None
        self.binary_frames = 0
        self.text_frames = 0
        self._stash: list[Message] = []  # read while waiting for something else

    async def connect(self) -> KernelWsClient:
        from cloudbook.runtimes.connect import ws_connect

        opener: Any = connect
        target = f"{self.url}?session_id={self.session_id}"
        if self.runtime is not None:
            runtime = self.runtime

            async def opener(path: str, **kw: Any) -> ClientConnection:
                return await ws_connect(runtime, path, **kw)

        self.ws = await opener(
            target,
            subprotocols=[Subprotocol(V1)] if self.protocol == "v1" else None,
            additional_headers=self.headers,
            max_size=None,
            ping_interval=None,
            compression=None,
            open_timeout=self.open_timeout,
            close_timeout=2,
        )
        return self

    async def __aenter__(self) -> KernelWsClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    @property
    def subprotocol(self) -> str | None:
        assert self.ws is not None
        return self.ws.subprotocol

    def message(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> Message:
        return new_message(msg_type, content, self.session_id, channel)

    async def send(self, msg: Message) -> None:
        assert self.ws is not None, "not connected"
        if self.subprotocol == V1:
            await self.ws.send(encode_v1(msg))
        else:
            await self.ws.send(json.dumps(msg))

    async def recv(self, timeout: float = 60) -> Message:
        if self._stash:
            return self._stash.pop(0)
        assert self.ws is not None, "not connected"
        async with asyncio.timeout(timeout):
            data = await self.ws.recv()
        if isinstance(data, bytes):
            self.binary_frames += 1
            return decode_v1(data) if self.subprotocol == V1 else decode_legacy(data)
        self.text_frames += 1
        return decode_legacy(data)

    async def collect(
        self, msg_id: str, timeout: float = 60, *, stop_on_restart: bool = True
    ) -> list[Message]:
        """Messages answering ``msg_id`` until its shell reply and idle status have arrived.

        Also returns early, with that message last, when the kernel reports itself
        ``dead`` or ``restarting`` (the server sends those without a parent), unless
        ``stop_on_restart`` is false (a restart just requested may still announce itself).
        """
        found: list[Message] = []
        others: list[Message] = []
        replied = idle = False
        deadline = time.monotonic() + timeout
        try:
            while not (replied and idle):
                msg = await self.recv(max(0.0, deadline - time.monotonic()))
                state = msg["content"].get("execution_state") if _is_status(msg) else None
                if msg["parent_header"].get("msg_id") == msg_id:
                    found.append(msg)
                    replied = replied or msg["channel"] == "shell"
                    idle = idle or state == "idle"
                elif stop_on_restart and state in ("dead", "restarting"):
                    found.append(msg)
                    break
                else:
                    others.append(msg)
        finally:
            self._stash = others + self._stash
        return found

    async def execute(
        self, code: str, timeout: float = 60, *, stop_on_restart: bool = True
    ) -> list[Message]:
        request = self.message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        await self.send(request)
        msg_id = request["header"]["msg_id"]
        return await self.collect(msg_id, timeout, stop_on_restart=stop_on_restart)

    async def request(self, msg_type: str, content: dict[str, Any], timeout: float = 60) -> Message:
        msg = self.message(msg_type, content)
        await self.send(msg)
        for reply in await self.collect(msg["header"]["msg_id"], timeout):
            if reply["channel"] == "shell":
                return reply
        raise AssertionError(f"no reply to {msg_type}")


def _is_status(msg: Message) -> bool:
    return bool(msg["channel"] == "iopub" and msg["header"].get("msg_type") == "status")


def execute_result(messages: list[Message]) -> str | None:
    for m in messages:
        if m["header"]["msg_type"] == "execute_result":
            return str(m["content"]["data"]["text/plain"])
    return None


def stream_text(messages: list[Message], name: str = "stdout") -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["header"]["msg_type"] == "stream" and m["content"]["name"] == name
    )


def execution_states(messages: list[Message]) -> list[str]:
    return [m["content"]["execution_state"] for m in messages if _is_status(m)]
