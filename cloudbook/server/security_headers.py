"""Headers every HTTP response carries.

- ``X-Content-Type-Options: nosniff``: a download or a proxied file is never
  sniffed into HTML or script;
- ``Referrer-Policy: no-referrer``: URLs (notebook ids, proxy tokens) never leak to
  other sites through links in outputs;
- ``Content-Security-Policy: frame-ancestors 'self'``: no other site can frame the
  service (clickjacking). A response that sets its own CSP keeps it, and the
  kernel-port proxy gets none added: its pages are framed by output frames, whose
  origin is opaque and so never 'self' (it serves ``CSP: sandbox`` instead).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
FRAME_ANCESTORS = (b"content-security-policy", b"frame-ancestors 'self'")
_PORT_PROXY_PREFIX = "/api/runtimes/"
_PORT_PROXY_MARK = "/proxy/"


def _is_port_proxy(path: str) -> bool:
    return path.startswith(_PORT_PROXY_PREFIX) and _PORT_PROXY_MARK in path


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        framed_by_outputs = _is_port_proxy(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            # A refused WebSocket handshake is answered over HTTP too.
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in ALWAYS if h[0] not in present]
                if not framed_by_outputs and FRAME_ANCESTORS[0] not in present:
                    headers.append(FRAME_ANCESTORS)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
