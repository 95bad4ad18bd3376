"""A real cloudbook served by uvicorn in this event loop, for WebSocket and runtime tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from cloudbook.settings import Settings


@dataclass
class LiveServer:
    base: str
    app: object

    @property
    def ws_base(self) -> str:
        return "ws" + self.base[len("http") :]

    @property
    def services(self):  # type: ignore[no-untyped-def]
        return self.app.state.cloudbook.services  # type: ignore[attr-defined]

    async def token_for(self, name: str) -> str:
        users = self.services.users
        try:
            user = await users.get_by_name(name)
        except Exception:
            user = await users.create(name, "long enough")
        return str(await users.create_api_token(user))

    def client(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=90
        )


@asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    import uvicorn

    from cloudbook.server.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    settings.port = sock.getsockname()[1]
    app = create_app(settings, wait_ready=True)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws="websockets-sansio",
        lifespan="on",
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    assert app.state.cloudbook.services is not None, "cloudbook failed to start"
    try:
        yield LiveServer(base=f"http://127.0.0.1:{settings.port}", app=app)
    finally:
        server.should_exit = True
        await task
        sock.close()
