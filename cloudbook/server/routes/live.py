"""The live document of a notebook over the y-websocket protocol (docs/live.md)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, WebSocket

from cloudbook.server.deps import authenticate, services_of
from cloudbook.server.ws_guard import deny, same_origin, serve_until_lost
from cloudbook.services.errors import NotFound, ServiceError

router = APIRouter(tags=["live"])


@router.websocket("/api/notebooks/{notebook_id}/live")
async def live_notebook(websocket: WebSocket, notebook_id: str) -> None:
    """Sync and awareness messages both ways, plus messages of cloudbook's own:
    `SAVE_AND_PIN` (a single byte 100): save the file now and pin that revision; `RUN`
    (101 + JSON) and its `RUN_REPLY` (102 + JSON): run cells (cloudbook.live.socket_runs);
    `FLUSHED` (103, echoed: the page's edits before it are in the document) and `SESSION`
    (104 + id, sent first). `?session=` names the load of the document the page synced
    with before; another one is refused with close code 4409 (the page starts afresh)."""
    from cloudbook.live.channel import WebSocketChannel
    from cloudbook.live.documents import CLOSE_STALE_DOCUMENT, FLUSHED, SESSION
    from cloudbook.live.socket_runs import SocketRuns

    if not same_origin(websocket):
        await deny(websocket, 403, "foreign_origin", "Cross-origin WebSocket refused.")
        return
    lost = asyncio.Event()

    async def on_lost() -> None:
        lost.set()

    try:
        services = await services_of(websocket)
        user = await authenticate(websocket, unsafe=False)
        if services.live is None:
            raise NotFound("Live documents are off on this service.", code="live_documents_off")
        doc = await services.live.open(notebook_id, user)
    except ServiceError as exc:
        await deny(websocket, exc.status, exc.code, exc.message)
        return
    if websocket.query_params.get("session", doc.session) != doc.session:
        # The page holds a copy of an earlier load of this document (docs/live.md,
        # "Sessions"): it drops it and connects afresh when it sees this close code.
        try:
            await websocket.accept()
            await websocket.close(CLOSE_STALE_DOCUMENT, "stale_document")
        finally:
            await services.live.release(doc)
        return
    # An editor whose access is taken away (or lowered) is cut off at once.
    stop = await services.access.watch(user, notebook_id, "editor", on_lost)
    runs: SocketRuns | None = None
    try:
        await websocket.accept()
        path = f"{notebook_id}/{user.id}"
        replies = WebSocketChannel(websocket, path)
        await replies.send(SESSION + doc.session.encode())
        runs = SocketRuns(services, user, notebook_id, replies.send)
        sending: set[asyncio.Task[None]] = set()

        def reply_with(reply: bytes) -> bool:
            task = asyncio.create_task(replies.send(reply))
            sending.add(task)
            task.add_done_callback(sending.discard)
            return True

        def take(message: bytes) -> bool:
            # Taken in the order the page sent them: a FLUSHED comes after its edits.
            if message[:1] == FLUSHED:
                return reply_with(message)
            # A page's first sync request is answered from the document's cached state.
            reply = doc.first_sync(message)
            if reply is None:
                return runs.take(message)
            return reply_with(reply)

        channel = WebSocketChannel(websocket, path, take=take)
        await serve_until_lost(doc.serve(channel), websocket, lost)
    finally:
        stop()
        if runs is not None:
            await runs.close()
        await services.live.release(doc)
