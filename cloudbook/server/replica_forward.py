"""Forward a WebSocket to the replica holding the runtime: kernel channels, port proxy.

Kernel channels: the route has checked the origin, authenticated the user and found (in
the store) that the runtime is theirs and held by another live replica. That replica
authenticates the same user again from the same credentials (cookie or API token: the
store is shared), and keeps the upstream kernel connection, its replay buffer and the
idle clock; this one only relays frames, byte for byte, with TCP_NODELAY on both legs.
The browser's ``session_id`` goes along, so a page that reconnects through any replica
resumes. When the holder goes away mid-session the browser gets close code 1012 (service
restart): it reconnects, and by then (or at that request) the runtime is adopted.

Port proxy (a web app's WebSocket in the runtime, ``/api/runtimes/{id}/proxy/…``): the
link's signed token is in the path and checked by the holder against its memory; no
credentials go along, and the app's close code comes back as it was.

Either way the request carries ``x-cloudbook-forwarded`` and is never forwarded twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from cloudbook.server.kernel_proxy.frames import asgi_transport, set_nodelay

if TYPE_CHECKING:
    from starlette.websockets import WebSocket
    from websockets.asyncio.client import ClientConnection

log = logging.getLogger("cloudbook.replicas")

CLOSE_SERVICE_RESTART = 1012
# What the holder needs to authenticate the user again; nothing else is passed on.
FORWARDED_HEADERS = ("cookie", "authorization")
FORWARDED_MARK = "x-cloudbook-forwarded"


def was_forwarded(websocket: WebSocket) -> bool:
    return FORWARDED_MARK in websocket.headers


class HolderUnreachable(Exception):
    """The holding replica did not take the connection (down or restarting)."""


class HolderRefused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"holder answered {status}")
        self.status = status
        self.body = body


async def open_upstream(
    websocket: WebSocket, holder_url: str, *, credentials: bool = True
) -> ClientConnection:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake, InvalidStatus
    from websockets.typing import Subprotocol

    path = websocket.url.path + (f"?{websocket.url.query}" if websocket.url.query else "")
    target = "ws" + holder_url.rstrip("/")[len("http") :] + path
    passed = FORWARDED_HEADERS if credentials else ()
    headers = [(k, websocket.headers[k]) for k in passed if k in websocket.headers]
    headers.append((FORWARDED_MARK, "1"))
    offered = [Subprotocol(p) for p in websocket.scope.get("subprotocols") or []]
    try:
        return await connect(
            target,
            subprotocols=offered or None,
            additional_headers=headers,
            max_size=None,
            ping_interval=None,
            compression=None,
            open_timeout=10,
            close_timeout=2,
        )
    except InvalidStatus as exc:
        raise HolderRefused(exc.response.status_code, bytes(exc.response.body or b"")) from None
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        raise HolderUnreachable(str(exc)) from None


async def forward(websocket: WebSocket, holder_url: str, *, kernel: bool = True) -> None:
    """Open the same WebSocket on the holder and relay; refuse as the holder refused, or
    with 503 ``replica_unreachable`` when it does not answer."""
    from starlette.responses import Response

    from cloudbook.server.ws_guard import deny

    try:
        upstream = await open_upstream(websocket, holder_url, credentials=kernel)
    except HolderRefused as exc:
        await websocket.send_denial_response(
            Response(exc.body, status_code=exc.status, media_type="application/json")
        )
        return
    except HolderUnreachable:
        await deny(
            websocket,
            503,
            "replica_unreachable",
            "The replica holding this runtime did not answer; reconnect in a moment.",
        )
        return
    await relay(websocket, upstream, kernel=kernel)


def _close_code(code: int | None, kernel: bool) -> int:
    if kernel:
        # 1000/1001 from the holder mean the kernel went away; anything else: the holder did.
        return code if code in (1000, 1001, 4000, 4004) else CLOSE_SERVICE_RESTART
    # A web app's own code, where one may be sent; 1006 (no close frame): the holder went.
    if code is not None and (code in (1000, 1001, 1003, 1007, 1008, 1011) or code >= 3000):
        return code
    return CLOSE_SERVICE_RESTART


async def relay(websocket: WebSocket, upstream: ClientConnection, *, kernel: bool = True) -> None:
    """Accept the browser with the holder's subprotocol and pass frames both ways."""
    await websocket.accept(subprotocol=upstream.subprotocol)
    set_nodelay(asgi_transport(getattr(websocket, "_receive", None)))
    set_nodelay(upstream.transport)

    async def down() -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for frame in upstream:
                if isinstance(frame, bytes):
                    await websocket.send({"type": "websocket.send", "bytes": frame})
                else:
                    await websocket.send({"type": "websocket.send", "text": frame})

    async def up() -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            await upstream.send(data if data is not None else message.get("text") or "")

    to_browser = asyncio.create_task(down())
    to_holder = asyncio.create_task(up())
    done, _ = await asyncio.wait({to_browser, to_holder}, return_when=asyncio.FIRST_COMPLETED)
    for task in (to_browser, to_holder):
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
    if to_holder in done:  # the browser left: let the holder keep its replay buffer
        with contextlib.suppress(Exception):
            await upstream.close()
        return
    with contextlib.suppress(Exception):
        await websocket.close(_close_code(upstream.close_code, kernel))
