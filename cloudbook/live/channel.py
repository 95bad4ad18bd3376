"""A Starlette WebSocket seen as a pycrdt `Channel` (what `YRoom.serve` reads and writes)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState


class WebSocketChannel:
    def __init__(
        self, websocket: WebSocket, path: str, take: Callable[[bytes], bool] | None = None
    ) -> None:
        self._websocket = websocket
        self._path = path
        # Messages of cloudbook's own that need who sent them (a run): `take` keeps them
        # from the Yjs room. The room reads one message at a time, so a message taken
        # here comes after every edit this page sent before it.
        self._take = take

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
                if self._take is not None and self._take(bytes(data)):
                    continue
                return bytes(data)
