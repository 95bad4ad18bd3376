"""What every browser WebSocket route checks before it accepts: the Origin, and a way to
refuse with a JSON body (the kernel channels and the live documents share these)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket
from fastapi.responses import JSONResponse

from cloudbook.server.deps import app_state

# Close code of a socket whose user lost access to its notebook (the page says so).
CLOSE_ACCESS_REMOVED = 4403


def same_origin(websocket: WebSocket) -> bool:
    """Origin (scheme and host) is this service: the request's own, or the public URL's.
    An ``http://`` page is foreign to an ``https://`` service of the same host."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser (browsers always send Origin on WebSockets)
    own_scheme = "https" if websocket.url.scheme in ("wss", "https") else "http"
    allowed = {(own_scheme, websocket.headers.get("host", "").lower())}
    public = app_state(websocket).settings.public_url
    if public:
        parsed = urlsplit(public)
        allowed.add((parsed.scheme.lower(), parsed.netloc.lower()))
    sent = urlsplit(origin)
    return (sent.scheme.lower(), sent.netloc.lower()) in allowed


async def deny(websocket: WebSocket, status: int, code: str, message: str) -> None:
    body = JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    try:
        await websocket.send_denial_response(body)
    except RuntimeError:  # server without the denial-response extension
        await websocket.close(code=1008)


async def serve_until_lost(
    serving: Coroutine[Any, Any, None], websocket: WebSocket, lost: asyncio.Event
) -> None:
    """Relay until either side ends it, or until access is lost: then close with 4403."""
    relay = asyncio.create_task(serving)
    waiter = asyncio.create_task(lost.wait())
    done, _ = await asyncio.wait({relay, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if relay in done:
        waiter.cancel()
        relay.result()
        return
    relay.cancel()
    with contextlib.suppress(BaseException):
        await relay
    with contextlib.suppress(RuntimeError):
        await websocket.close(code=CLOSE_ACCESS_REMOVED, reason="access removed")
