"""Forward a runtime's REST requests to the replica holding it (local runtimes).

A local runtime is a process of one replica's machine: no other replica can reach its
Jupyter server. Every ``/api/runtimes/{id}…`` HTTP request (status, resources, files,
kernels REST, port proxy) that reaches a replica which does not hold that runtime is
passed, as it came (method, path, query, body streamed, the caller's own cookie, token
and XSRF header), to the holder named in the store; the holder authenticates and
authorises the caller exactly as if asked directly, and its answer is streamed back.
Nothing is decided here: a caller who may not use the runtime gets the holder's 404.

Runtimes any replica reaches through their provider (JupyterHub) are served in place,
except through the port proxy, whose links are checked against the holder's memory.
A request forwarded once carries ``x-cloudbook-forwarded`` and is never forwarded again
(a stale record cannot make two replicas bounce it).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from cloudbook.hop_by_hop import HOP_BY_HOP

if TYPE_CHECKING:
    import httpx
    from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("cloudbook.replicas")

_RUNTIME_PATH = re.compile(r"^/api/runtimes/([A-Za-z0-9_-]{1,64})(/.*)?$")
FORWARDED = b"x-cloudbook-forwarded"
# Host is kept: the holder builds links (port URLs) for the address the browser used.
_DROP = frozenset(HOP_BY_HOP - {"host", "content-length"}) | {FORWARDED.decode()}
_NO_BODY = {"GET", "HEAD", "OPTIONS", "DELETE"}
# Added again by this replica's SecurityHeadersMiddleware (a holder's own CSP is kept).
_DROP_RESPONSE = HOP_BY_HOP - {"content-length"} | {"x-content-type-options", "referrer-policy"}
_client: httpx.AsyncClient | None = None


def _http() -> httpx.AsyncClient:
    import httpx

    global _client
    if _client is None:
        _client = httpx.AsyncClient(
            timeout=httpx.Timeout(300.0, connect=10.0),
            limits=httpx.Limits(max_connections=500, max_keepalive_connections=50),
        )
    return _client


def is_port_proxy(rest: str | None) -> bool:
    """The port proxy and its links (``/ports/{port}/url``): the holder's memory says who
    may, so these go to the holder even for a runtime this replica reaches directly."""
    return bool(rest) and str(rest).startswith(("/proxy/", "/ports/"))


class ReplicaRestForwarder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _RUNTIME_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or any(k == FORWARDED for k, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        holder = await self._holder(scope, match.group(1), is_port_proxy(match.group(2)))
        if holder is None:
            await self.app(scope, receive, send)
            return
        await forward(scope, receive, send, holder)

    async def _holder(self, scope: Scope, runtime_id: str, port_proxy: bool) -> str | None:
        state = scope["app"].state.cloudbook
        if not state.ready.is_set() or state.services is None:
            return None
        target = getattr(state.services.runtimes, "forward_target", None)
        if target is None:
            return None
        url: str | None = await target(runtime_id, direct_ok=not port_proxy)
        return url


async def forward(scope: Scope, receive: Receive, send: Send, holder_url: str) -> None:
    import httpx

    query = scope.get("query_string", b"").decode("latin-1")
    url = holder_url.rstrip("/") + scope["path"] + (f"?{query}" if query else "")
    headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in _DROP] + [
        (FORWARDED, b"1")
    ]
    has_body = scope["method"] not in _NO_BODY or any(
        k in (b"content-length", b"transfer-encoding") for k, _ in scope["headers"]
    )

    async def body() -> AsyncIterator[bytes]:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            yield message.get("body", b"")
            if not message.get("more_body"):
                return

    client = _http()
    request = client.build_request(
        scope["method"], url, headers=headers, content=body() if has_body else None
    )
    try:
        response = await client.send(request, stream=True)
    except httpx.HTTPError as exc:
        log.warning("replica %s did not answer a forwarded request: %s", holder_url, exc)
        await _unreachable(send)
        return
    try:
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [
                    (k, v)
                    for k, v in response.headers.raw
                    if k.decode("latin-1").lower() not in _DROP_RESPONSE
                ],
            }
        )
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await response.aclose()


async def _unreachable(send: Send) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "replica_unreachable",
                "message": "The replica holding this runtime did not answer; try again.",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def close_client() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None
