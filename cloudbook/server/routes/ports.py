"""Links to web servers inside a runtime (``google.colab.kernel.proxyPort``) and the proxy.

``POST /api/runtimes/{id}/ports/{port}/url`` is asked by the page (session
cookie); the proxy routes are loaded by sandboxed frames, which send no cookies,
so they are authorised by the signed token in their path alone
(cloudbook.services.port_links) plus the runtime still belonging to its user.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, WebSocket
from pydantic import BaseModel

from cloudbook.runtimes.provider import Runtime
from cloudbook.server.deps import CurrentUser, ServicesDep, app_state, services_of
from cloudbook.server.errors import error_response
from cloudbook.server.state import Services
from cloudbook.services.errors import NotFound, ServiceError
from cloudbook.services.port_links import check_port

log = logging.getLogger("cloudbook.port_proxy")
router = APIRouter(tags=["runtimes"])
PROXY = "/api/runtimes/{runtime_id}/proxy/{port}/{token}/{path:path}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A page loads many assets: who listens where is looked up (a /proc scan) at most this often.
LISTEN_CACHE_SECONDS = 3.0
_listening: dict[tuple[str, int], float] = {}


class PortUrl(BaseModel):
    url: str
    expires_at: datetime


@router.post("/api/runtimes/{runtime_id}/ports/{port}/url", response_model=PortUrl)
async def port_url(
    runtime_id: str, port: int, request: Request, user: CurrentUser, s: ServicesDep
) -> PortUrl:
    s.runtimes.owned(user, runtime_id)  # 404 unless the caller's
    token = s.port_links.issue(runtime_id, check_port(port), user.id)
    expires = int(token.split(".")[1])
    base = app_state(request).settings.public_url or str(request.base_url)
    return PortUrl(
        url=f"{base.rstrip('/')}/api/runtimes/{runtime_id}/proxy/{port}/{token}/",
        expires_at=datetime.fromtimestamp(expires, UTC),
    )


async def _authorise(services: Services, runtime_id: str, port: int, token: str) -> Runtime:
    link = services.port_links.verify(runtime_id, check_port(port), token)
    managed = services.runtimes.assigned(runtime_id)
    if managed is None or managed.owner_id != link.user_id:
        raise NotFound("No such proxied port.", code="no_such_port")
    now = time.monotonic()
    if _listening.get((runtime_id, port), 0.0) > now:
        return managed.runtime
    if port not in await services.runtimes.provider.listening_ports(managed.runtime):
        _listening.pop((runtime_id, port), None)
        raise NotFound(
            f"Nothing in this runtime listens on port {port}.", code="port_not_listening"
        )
    if len(_listening) > 1024:
        _listening.clear()
    _listening[(runtime_id, port)] = now + LISTEN_CACHE_SECONDS
    return managed.runtime


async def _holder_elsewhere(
    services: Services, websocket: WebSocket, runtime_id: str, port: int, token: str
) -> str | None:
    """The replica to pass a port-proxy WebSocket to (its HTTP requests are passed on by
    cloudbook.server.replica_rest): the runtime is held by another live replica, whose
    memory checks the link. The link's signature is checked here first."""
    from cloudbook.server.replica_forward import was_forwarded

    target = getattr(services.runtimes, "forward_target", None)
    if target is None or was_forwarded(websocket) or services.runtimes.assigned(runtime_id):
        return None
    services.port_links.verify(runtime_id, check_port(port), token)
    holder: str | None = await target(runtime_id, direct_ok=False)
    return holder


@router.api_route(PROXY, methods=METHODS, include_in_schema=False)
async def proxy_http(
    runtime_id: str, port: int, token: str, path: str, request: Request
) -> Response:
    from cloudbook.server.port_proxy import forward_http

    services = await services_of(request)
    runtime = await _authorise(services, runtime_id, port, token)
    try:
        return await forward_http(request, port, path, runtime)
    except Exception as exc:  # never reach the generic handler: it logs the path (the token)
        log.error("port proxy failed: %s", type(exc).__name__)
        return error_response(502, "proxy_failed", "The runtime's web server could not be reached.")


@router.websocket(PROXY)
async def proxy_websocket(
    websocket: WebSocket, runtime_id: str, port: int, token: str, path: str
) -> None:
    from cloudbook.server.port_proxy import forward_websocket
    from cloudbook.server.replica_forward import forward
    from cloudbook.server.ws_guard import deny as _deny

    try:
        services = await services_of(websocket)
        holder = await _holder_elsewhere(services, websocket, runtime_id, port, token)
        if holder is not None:
            await forward(websocket, holder, kernel=False)
            return
        runtime = await _authorise(services, runtime_id, port, token)
    except ServiceError as exc:
        await _deny(websocket, exc.status, exc.code, exc.message)
        return
    try:
        await forward_websocket(websocket, port, path, runtime)
    except Exception as exc:
        log.error("port proxy WebSocket failed: %s", type(exc).__name__)
