"""What every browser WebSocket route checks before it accepts: the Origin, and a way to
refuse with a JSON body (the kernel channels and the live documents share these)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import WebSocket
from fastapi.responses import JSONResponse

from cloudbook.server.deps import app_state


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
