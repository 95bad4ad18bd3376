"""Pass-through of the Jupyter kernel WebSocket protocol between browsers and runtimes.

The route authenticates and checks ownership first, then hands the (not yet
accepted) WebSocket to :func:`proxy_kernel_channels`. Frames travel unchanged in
both directions (``v1.kernel.websocket.jupyter.org`` binary frames or legacy JSON
text, whichever the browser offered and the runtime accepted). Upstream
connections live in a :class:`KernelProxyHub` so that a browser reconnecting
with the same ``session_id`` within the grace period gets what it missed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL
from cloudbook.server.kernel_proxy.hub import KernelProxyHub, SessionInfo, UpstreamRefused

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from cloudbook.runtimes.provider import Runtime

__all__ = [
    "V1_SUBPROTOCOL",
    "KernelProxyHub",
    "SessionInfo",
    "UpstreamRefused",
    "proxy_kernel_channels",
]


async def proxy_kernel_channels(
    websocket: WebSocket,
    runtime: Runtime,
    kernel_id: str,
    hub: KernelProxyHub,
    owner: str | None = None,
) -> None:
    """Serve one browser kernel WebSocket until it closes (the caller has not accepted it).

    Refuses the handshake (404 unknown kernel, 502 runtime unreachable) when the
    runtime will not open the channels; otherwise accepts with the subprotocol
    the runtime agreed to and relays frames until either side closes. ``owner`` (the
    user) shares one replay budget across all their sessions.
    """
    await hub.serve(websocket, runtime, kernel_id, owner)
