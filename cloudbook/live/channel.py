"""A Starlette WebSocket seen as a pycrdt `Channel` (what `YRoom.serve` reads and writes)."""

from __future__ import annotations

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState


class WebSocketChannel:
    def __init__(self, websocket: WebSocket, path: str) -> None:
        self._websocket = websocket
        self._path = path

    @property
    def path(self) -> str:
        return self._path

    def __aiter__(self) -> WebSocketChannel:
        return self

    async def __anext__(self) -> bytes:
        return await self.recv()

    async def send(self, message: bytes) -> None:
        # A page that went away misses broadcasts; it syncs again when it reconnects.
        if self._websocket.application_state != WebSocketState.CONNECTED:
            return
        try:
            await self._websocket.send_bytes(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass

    async def recv(self) -> bytes:
        while True:
            try:
                message = await self._websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                raise StopAsyncIteration from None
            if message["type"] == "websocket.disconnect":
                raise StopAsyncIteration
            data = message.get("bytes")
            if data:  # the protocol is binary; text frames are ignored
                return bytes(data)
