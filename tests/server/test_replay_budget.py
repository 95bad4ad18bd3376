"""Replay buffers are bounded per session and per user: one user's idle sessions cannot
grow the service without limit, and never cost another user their output."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from fastapi import FastAPI, WebSocket

from cloudbook.runtimes.jupyter_api import JupyterServerClient, close_shared_client
from cloudbook.runtimes.provider import Runtime
from cloudbook.server.kernel_proxy import KernelProxyHub, proxy_kernel_channels
from tests.jupyter_fixtures import JupyterServer, KernelWsClient, Message, stream_text
from tests.server.test_kernel_proxy import poll

pytestmark = pytest.mark.timeout(420)


def printing(lines: int) -> str:
    return f"for i in range({lines}): print('x' * 300, i, flush=True)"


def printed(lines: int) -> str:
    return "".join(f"{'x' * 300} {i}\n" for i in range(lines))


# Alice runs two cells printing ~450 KB each, Bob one printing ~30 KB.
LINES = {"a1": 1500, "a2": 1500, "b1": 100}


@asynccontextmanager
async def owned_proxy(
    hub: KernelProxyHub, runtimes: dict[str, tuple[Runtime, str]]
) -> AsyncIterator[str]:
    """The proxy at the real route; each runtime id belongs to the owner given with it."""
    app = FastAPI()

    @app.websocket("/api/runtimes/{runtime_id}/kernels/{kernel_id}/channels")
    async def channels(websocket: WebSocket, runtime_id: str, kernel_id: str) -> None:
        runtime, owner = runtimes[runtime_id]
        await proxy_kernel_channels(websocket, runtime, kernel_id, hub, owner=owner)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="off")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await poll(lambda: server.started or task.done())
    try:
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await hub.close_all()
        server.should_exit = True
        await task
        sock.close()
        await close_shared_client()


async def test_one_users_sessions_share_a_byte_budget(jupyter_server: JupyterServer) -> None:
    api = JupyterServerClient(jupyter_server.runtime("r"))
    kernels = [await api.start_kernel() for _ in range(3)]
    for kid in kernels:
        await api.wait_kernel_ready(kid, timeout=60)
    per_user = 600_000  # Alice's two runs together do not fit; Bob's run does
    hub = KernelProxyHub(
        buffer_messages=100_000, grace_seconds=900, buffer_bytes=10**8, user_buffer_bytes=per_user
    )
    owners = {"a1": "alice", "a2": "alice", "b1": "bob"}
    runtimes = {rid: (jupyter_server.runtime(rid), owner) for rid, owner in owners.items()}
    try:
        async with owned_proxy(hub, runtimes) as base:
            started: dict[str, tuple[KernelWsClient, str]] = {}
            for rid, kid in zip(owners, kernels, strict=True):
                kc = await KernelWsClient(
                    f"{base}/api/runtimes/{rid}/kernels/{kid}/channels"
                ).connect()
                request = kc.message(
                    "execute_request", {"code": printing(LINES[rid]), "silent": False}
                )
                await kc.send(request)
                await kc.close()  # the browser goes away while the cell prints
                started[rid] = (kc, request["header"]["msg_id"])

            def dropped(rid: str) -> int:
                return sum(s.dropped for s in hub.describe(rid))

            await poll(lambda: dropped("a1") + dropped("a2") > 0, timeout=120)
            alice_held = sum(s.buffered_bytes for r in ("a1", "a2") for s in hub.describe(r))
            assert hub.buffered_bytes_of("alice") == alice_held <= per_user

            got: dict[str, list[Message]] = {}
            for rid, kid in zip(owners, kernels, strict=True):
                kc, msg_id = started[rid]
                url = f"{base}/api/runtimes/{rid}/kernels/{kid}/channels"
                async with KernelWsClient(url, session_id=kc.session_id) as back:
                    got[rid] = await back.collect(msg_id, timeout=120)
            notices = {rid: stream_text(msgs, "stderr") for rid, msgs in got.items()}
            assert "dropped" in notices["a1"] + notices["a2"]  # alice is told what she lost
            for rid in ("a1", "a2"):
                text = stream_text(got[rid])
                assert printed(LINES[rid]).endswith(text)  # the newest is left, in order
            assert stream_text(got["b1"]) == printed(LINES["b1"])  # Bob lost nothing
            assert notices["b1"] == ""
            assert hub.buffered_bytes_of("alice") == 0
    finally:
        for kid in kernels:
            await api.delete_kernel(kid)
        await close_shared_client()
