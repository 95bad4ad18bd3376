"""The live document of a notebook over the y-websocket protocol (docs/live.md)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from cloudbook.server.deps import authenticate, services_of
from cloudbook.server.ws_guard import deny, same_origin
from cloudbook.services.errors import NotFound, ServiceError

router = APIRouter(tags=["live"])


@router.websocket("/api/notebooks/{notebook_id}/live")
async def live_notebook(websocket: WebSocket, notebook_id: str) -> None:
    """Sync and awareness messages both ways, plus one message of cloudbook's own
    (`SAVE_AND_PIN`, a single byte 100): save the file now and pin that revision."""
    from cloudbook.live.channel import WebSocketChannel

    if not same_origin(websocket):
        await deny(websocket, 403, "foreign_origin", "Cross-origin WebSocket refused.")
        return
    try:
        services = await services_of(websocket)
        user = await authenticate(websocket, unsafe=False)
        if services.live is None:
            raise NotFound("Live documents are off on this service.", code="live_documents_off")
        doc = await services.live.open(notebook_id, user)
    except ServiceError as exc:
        await deny(websocket, exc.status, exc.code, exc.message)
        return
    try:
        await websocket.accept()
        await doc.serve(WebSocketChannel(websocket, f"{notebook_id}/{user.id}"))
    finally:
        await services.live.release(doc)
