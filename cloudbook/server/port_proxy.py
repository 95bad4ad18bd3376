"""HTTP and WebSocket pass-through to a web server inside a runtime (``proxyPort``).

What comes back is served from the service's origin, so every response gets
``Content-Security-Policy: sandbox …`` (an opaque origin: it cannot read the
service's cookies or call its API even when opened as a top-level window) and
loses ``Set-Cookie``. Nothing here logs a path: it holds the link's token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from cloudbook.server.errors import error_response

if TYPE_CHECKING:
    import httpx
    from starlette.websockets import WebSocket

    from cloudbook.runtimes.provider import Runtime

from cloudbook.hop_by_hop import HOP_BY_HOP

log = logging.getLogger("cloudbook.port_proxy")

SANDBOX_CSP = (
    "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads "
    "allow-pointer-lock allow-presentation"
)
# The service's own credentials never reach the runtime's server.
DROP_REQUEST = HOP_BY_HOP | {"cookie", "authorization", "x-xsrf-token"}
DROP_RESPONSE = HOP_BY_HOP | {"set-cookie", "content-security-policy"}


def _upstream(
    runtime: Runtime | None, port: int, path: str, ws: bool
) -> tuple[str, dict[str, str]]:
    """Where to send it: the runtime's own forwarder (over its socket) when it has one, so
    that its private network is reached from inside; else the host's loopback."""

    if runtime is not None and (runtime.socket_path or runtime.remote):
        route = "/api/cloudbook/proxy-ws" if ws else "/api/cloudbook/proxy"
        return f"{route}/{port}/{path}", {"Authorization": f"token {runtime.token}"}
    return f"{'ws' if ws else 'http'}://127.0.0.1:{port}/{path}", {}


def _client(runtime: Runtime | None) -> httpx.AsyncClient:
    from cloudbook.runtimes.connect import http_client
    from cloudbook.runtimes.jupyter_api import shared_http_client

    if runtime is not None and runtime.socket_path:
        return http_client(runtime)
    return shared_http_client()


async def forward_http(
    request: Request, port: int, path: str, runtime: Runtime | None = None
) -> Response:
    import httpx

    from cloudbook.runtimes.connect import http_url

    target, auth = _upstream(runtime, port, path, ws=False)
    url = http_url(runtime, target) if auth and runtime is not None else target
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROP_REQUEST]
    headers.append(("host", f"127.0.0.1:{port}"))
    headers.extend(auth.items())
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE")

    async def body() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            yield chunk

    client = _client(runtime)
    upstream_request = client.build_request(
        request.method,
        url,
        params=request.url.query or None,
        headers=headers,
        content=body() if has_body else None,
        timeout=httpx.Timeout(60.0, connect=5.0),
    )
    try:
        upstream = await client.send(upstream_request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        log.info("proxied port %d did not answer (%s)", port, type(exc).__name__)
        return error_response(502, "port_unreachable", f"Nothing answered on port {port}.")
    out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in DROP_RESPONSE}
    out_headers["content-security-policy"] = SANDBOX_CSP
    out_headers["cache-control"] = upstream.headers.get("cache-control", "no-store")
    response = StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=out_headers,
        background=BackgroundTask(upstream.aclose),
    )
    return response


async def forward_websocket(
    websocket: WebSocket, port: int, path: str, runtime: Runtime | None = None
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, WebSocketException
    from websockets.typing import Subprotocol

    from cloudbook.runtimes.connect import ws_connect

    query = websocket.url.query
    target, auth = _upstream(runtime, port, path, ws=True)
    target += f"?{query}" if query else ""
    wanted = [
        Subprotocol(p.strip())
        for p in websocket.headers.get("sec-websocket-protocol", "").split(",")
        if p.strip()
    ]
    try:
        options: dict[str, Any] = {
            "subprotocols": wanted or None,
            "open_timeout": 10,
            "max_size": None,
            "compression": None,
        }
        if auth and runtime is not None:
            upstream = await ws_connect(runtime, target, additional_headers=auth, **options)
        else:
            upstream = await connect(target, **options)
    except (OSError, WebSocketException, TimeoutError) as exc:
        log.info("proxied WebSocket on port %d refused (%s)", port, type(exc).__name__)
        await websocket.close(code=1011)
        return
    await websocket.accept(subprotocol=upstream.subprotocol)

    async def down() -> None:
        async for message in upstream:
            if isinstance(message, bytes):
                await websocket.send_bytes(message)
            else:
                await websocket.send_text(message)

    async def up() -> None:
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            if event.get("bytes") is not None:
                await upstream.send(event["bytes"])
            elif event.get("text") is not None:
                await upstream.send(event["text"])

    tasks = [asyncio.create_task(down()), asyncio.create_task(up())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(ConnectionClosed, OSError):
            await upstream.close()
        with contextlib.suppress(Exception):
            await websocket.close()
