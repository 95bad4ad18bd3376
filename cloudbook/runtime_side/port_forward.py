"""``/api/cloudbook/proxy/{port}/{path}`` (HTTP) and ``/api/cloudbook/proxy-ws/{port}/{path}``
(WebSocket): forwarding to 127.0.0.1:PORT
*inside* the runtime (``google.colab.kernel.proxyPort``, ``serve_kernel_port_as_iframe``).

A sandboxed runtime has its own network namespace: the service cannot reach a web
server started in it on the host's loopback, so it asks this server (over its Unix
socket, with the runtime's token) to forward. The token and the service's cookies
never reach the proxied server: only the request's own headers, minus hop-by-hop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado import httpclient, httputil, web, websocket

from cloudbook.hop_by_hop import HOP_BY_HOP as BASE_HOP_BY_HOP

PROXY_PATH = "/api/cloudbook/proxy"
PROXY_WS_PATH = "/api/cloudbook/proxy-ws"
HOP_BY_HOP = BASE_HOP_BY_HOP | {"authorization", "cookie"}
DROP_RESPONSE = HOP_BY_HOP


def _target(port: str, path: str, query: str) -> str:
    return f"127.0.0.1:{int(port)}/{path}" + (f"?{query}" if query else "")


class PortHttpHandler(JupyterHandler):
    """Streams the upstream answer back as it arrives (no buffering of large bodies)."""

    def check_xsrf_cookie(self) -> None:
        return  # token-authenticated service requests only (checked in _forward)

    async def _forward(self, port: str, path: str) -> None:
        if self.current_user is None:
            raise web.HTTPError(403)
        headers = httputil.HTTPHeaders()
        for name, value in self.request.headers.get_all():
            if name.lower() not in HOP_BY_HOP:
                headers.add(name, value)
        headers["Host"] = f"127.0.0.1:{int(port)}"
        started = False

        def on_header(line: str) -> None:
            nonlocal started
            if line.startswith("HTTP/"):
                start = httputil.parse_response_start_line(line.strip())
                if start.code == 100:
                    return
                started = True
                self.clear()
                for name in list(self._headers):
                    self.clear_header(name)
                self.set_status(start.code, start.reason)
                return
            if not started or not line.strip():
                return
            name, _, value = line.partition(":")
            if name.strip().lower() not in DROP_RESPONSE:
                self.add_header(name.strip(), value.strip())

        def on_chunk(chunk: bytes) -> None:
            self.write(chunk)
            self.flush()

        body = self.request.body if self.request.method not in ("GET", "HEAD") else None
        request = httpclient.HTTPRequest(
            "http://" + _target(port, path, self.request.query),
            method=self.request.method or "GET",
            headers=headers,
            body=body,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            header_callback=on_header,
            streaming_callback=on_chunk,
            connect_timeout=5,
            request_timeout=3600,
        )
        try:
            await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError:
            if not started:
                self.set_status(502)
                self.finish(f"Nothing answered on port {int(port)}.")
                return
        self.finish()

    async def get(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def head(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def post(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def put(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def patch(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def delete(self, port: str, path: str) -> None:
        await self._forward(port, path)

    async def options(self, port: str, path: str) -> None:
        await self._forward(port, path)


class PortWebSocketHandler(WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """Opens the upstream WebSocket first, so that its subprotocol can be answered."""

    upstream: Any = None
    _pump: asyncio.Task[None] | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        port, path = args[0], args[1]
        if self.current_user is None:
            raise web.HTTPError(403)
        wanted = [
            p.strip()
            for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        try:
            self.upstream = await websocket.websocket_connect(
                "ws://" + _target(port, path, self.request.query),
                subprotocols=wanted or None,
                max_message_size=1 << 30,
            )
        except (OSError, websocket.WebSocketError, httpclient.HTTPClientError):
            raise web.HTTPError(502) from None
        await super().get(*args, **kwargs)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        chosen = self.upstream.selected_subprotocol if self.upstream is not None else None
        return chosen if chosen in subprotocols else None

    def open(self, *args: Any, **kwargs: Any) -> None:
        self._pump = asyncio.ensure_future(self._down())

    async def _down(self) -> None:
        while True:
            message = await self.upstream.read_message()
            if message is None:
                self.close()
                return
            await self.write_message(message, binary=isinstance(message, bytes))

    async def on_message(self, message: str | bytes) -> None:
        if self.upstream is not None:
            await self.upstream.write_message(message, binary=isinstance(message, bytes))

    def on_close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        if self._pump is not None:
            self._pump.cancel()


def handlers(base: str) -> list[tuple[str, type]]:
    return [
        (rf"{base}{PROXY_PATH}/(\d+)/(.*)", PortHttpHandler),
        (rf"{base}{PROXY_WS_PATH}/(\d+)/(.*)", PortWebSocketHandler),
    ]
