"""One proxied kernel connection: an upstream WebSocket that outlives browser connections.

Exactly one task reads each direction: the session's *pump* reads the
upstream (runtime) socket and writes to whichever browser is attached, or to
the bounded replay buffer while none is; each browser connection's *reader*
reads the browser and writes upstream. Both writes await the transport's flow
control, so a slow peer slows its sender instead of growing a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed

from cloudbook.server.kernel_proxy.frames import (
    Frame,
    asgi_transport,
    dropped_notice,
    frame_size,
    is_expendable,
    is_final_shutdown,
    parent_header_of,
)
from cloudbook.server.kernel_proxy.replay_budget import ReplayBudget, frame_stamps

if TYPE_CHECKING:
    from starlette.websockets import WebSocket
    from websockets.asyncio.client import ClientConnection

    from cloudbook.server.kernel_proxy.output_cap import OutputCap

log = logging.getLogger("cloudbook.kernel_proxy")

# Close codes a server may send as-is; anything else from upstream becomes 1011.
_FORWARDABLE = {1000, 1001, 1003, 1007, 1008, 1009, 1011, 1012, 1013}
CLOSE_UPSTREAM_LOST = 1011
CLOSE_REPLACED = 1000  # same session id reconnected elsewhere (jupyter_server does the same)
CLOSE_GOING_AWAY = 1001
CLOSE_TIMEOUT = 2.0  # seconds a browser gets to take our close frame before an abort


def client_close_code(upstream_code: int | None) -> int:
    if upstream_code is not None and (
        upstream_code in _FORWARDABLE or 3000 <= upstream_code <= 4999
    ):
        return upstream_code
    return CLOSE_UPSTREAM_LOST


async def settle(task: asyncio.Task[Any]) -> None:
    """Wait for a task to end without raising its error or cancellation (the caller's own
    cancellation still propagates); log an unexpected error."""
    await asyncio.wait({task})
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("kernel proxy task failed", exc_info=exc)


class Client:
    """One accepted browser WebSocket."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.reader: asyncio.Task[None] | None = None
        self._shut = False

    async def send(self, frame: Frame) -> None:
        if isinstance(frame, bytes):
            await self.websocket.send({"type": "websocket.send", "bytes": frame})
        else:
            await self.websocket.send({"type": "websocket.send", "text": frame})

    async def shut(self, code: int, reason: str = "") -> None:
        """Close the browser connection (once) and stop its reader.

        A close waits for the transport like any write; a browser that stopped
        reading (gone without a FIN) would hold it until keepalive gives up, so after
        a short wait the connection is aborted instead.
        """
        if self._shut:
            return
        self._shut = True
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self.websocket.close(code, reason)
        except TimeoutError:
            log.info("a browser did not take its close frame: aborting the connection")
            transport = asgi_transport(getattr(self.websocket, "_receive", None))
            abort = getattr(transport, "abort", None)
            if abort is not None:
                abort()
        except Exception as exc:  # already gone
            log.debug("closing a browser connection: %r", exc)
        self.stop_reader()

    def stop_reader(self) -> None:
        if self.reader is not None and self.reader is not asyncio.current_task():
            self.reader.cancel()


class ProxySession:
    def __init__(
        self,
        *,
        key: tuple[str, str, str],
        upstream: ClientConnection,
        resumable: bool,
        buffer_messages: int,
        buffer_bytes: int,
        grace_seconds: float,
        touch: Callable[[], None],
        on_closed: Callable[[ProxySession], None],
        spawn: Callable[[Any], None],
        kernel_gone: Callable[[], Awaitable[bool]],
        budget: ReplayBudget | None = None,
        output_cap: OutputCap | None = None,
    ) -> None:
        self.key = key
        self.upstream = upstream
        self.subprotocol: str | None = upstream.subprotocol
        self.resumable = resumable
        self.client: Client | None = None
        self.closed = False
        self.upstream_nodelay: bool | None = None
        self.downstream_nodelay: bool | None = None
        self._buffer: deque[Frame] = deque()
        self._expendable: deque[bool] = deque()  # parallel to _buffer
        self._stamps: deque[int] = deque()  # parallel to _buffer: order across sessions
        self._budget = budget  # the user's share, across all their sessions
        self._uncounted: Frame | None = None
        if budget is not None:
            budget.join(self)
        self._buffered_bytes = 0
        self._max_messages = buffer_messages
        self._max_bytes = buffer_bytes
        self._dropped = 0
        self._last_dropped: Frame | None = None
        self._grace_seconds = grace_seconds
        self._grace: asyncio.TimerHandle | None = None
        self._touch = touch
        self._on_closed = on_closed
        self._spawn = spawn
        self._kernel_gone = kernel_gone
        self._output_cap = output_cap
        # Held while a frame goes to the browser, and while a new browser is given the
        # buffer: replayed frames can never interleave with, or overtake, live ones.
        self._lock = asyncio.Lock()
        self._pump = asyncio.get_running_loop().create_task(self._pump_upstream())

    @property
    def runtime_id(self) -> str:
        return self.key[0]

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def buffered_bytes(self) -> int:
        return self._buffered_bytes

    # --- browser side ---------------------------------------------------------------

    def claim(self) -> None:
        """A reconnect is on its way: keep the session alive until it attaches."""
        self._cancel_grace()

    def release(self) -> None:
        """A claimed reconnect did not happen: start the grace period again."""
        self._start_grace()

    async def run_client(self, websocket: WebSocket) -> None:
        """Attach an accepted browser WebSocket; return when it goes away."""
        client = Client(websocket)
        try:
            try:
                attached = await self._attach(client)
            except Exception as exc:  # the browser left while the buffer was replayed
                log.debug("session %s: replay interrupted: %r", self.key[2], exc)
                return
            if not attached:
                return
            client.reader = asyncio.get_running_loop().create_task(self._read_client(client))
            await settle(client.reader)
        finally:
            if client.reader is not None and not client.reader.done():
                client.reader.cancel()
                await settle(client.reader)
            self._detach(client)

    async def _attach(self, client: Client) -> bool:
        previous, self.client = self.client, None
        if previous is not None:
            # Outside the lock: the pump may hold it, stuck writing to this stale browser;
            # shutting it down is what frees the pump (its frame is then kept for replay).
            log.info("session %s reconnected: replacing the older connection", self.key[2])
            await previous.shut(CLOSE_REPLACED, "replaced by a newer connection")
        async with self._lock:
            if self.client is not None:  # another reconnect of this session won the lock first
                stale, self.client = self.client, None
                await stale.shut(CLOSE_REPLACED, "replaced by a newer connection")
            if self.closed:
                await client.shut(CLOSE_UPSTREAM_LOST, "kernel connection closed")
                return False
            await self._flush(client)
            self.client = client
            self._cancel_grace()
            return True

    async def _flush(self, client: Client) -> None:
        if self._dropped:
            log.warning(
                "kernel session %s: %d message(s) dropped while the browser was away",
                self.key[2],
                self._dropped,
            )
            parent = parent_header_of(self._last_dropped or b"", self.subprotocol)
            await client.send(dropped_notice(self._dropped, parent, self.subprotocol))
            self._dropped, self._last_dropped = 0, None
        while self._buffer:
            frame = self._buffer[0]
            await client.send(frame)  # on failure the frame stays for the next attempt
            self._buffer.popleft()
            self._expendable.popleft()
            self._stamps.popleft()
            self._release(frame_size(frame))

    async def _read_client(self, client: Client) -> None:
        receive = client.websocket.receive
        send_upstream = self.upstream.send
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return  # websocket.disconnect
            data: Frame | None = message.get("bytes")
            if data is None:
                data = message.get("text")
                if data is None:
                    continue
            self._touch()
            try:
                await send_upstream(data)
            except ConnectionClosed:
                return  # the pump sees the same close and tells the browser

    def _detach(self, client: Client) -> None:
        if self.client is client:
            self.client = None
        self._touch()
        self._start_grace()

    # --- runtime side ---------------------------------------------------------------

    async def _pump_upstream(self) -> None:
        frames = self._output_cap.frames(self.upstream) if self._output_cap else self.upstream
        try:
            async for frame in frames:
                self._touch()
                if is_final_shutdown(frame, self.subprotocol):
                    self._spawn(self._close_if_kernel_gone())
                async with self._lock:
                    client = self.client
                    if client is not None:
                        try:
                            await client.send(frame)
                            continue
                        except Exception as exc:
                            log.debug("session %s: browser lost: %r", self.key[2], exc)
                            # The browser vanished mid-send: keep the frame for its return.
                            self.client = None
                            client.stop_reader()
                            self._start_grace()
                    self._keep(frame)
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("kernel proxy pump failed for session %s", self.key[2])
        finally:
            if not self.closed:
                await self._upstream_gone()

    def _keep(self, frame: Frame) -> None:
        size = frame_size(frame)
        self._buffer.append(frame)
        self._expendable.append(is_expendable(frame, self.subprotocol))
        self._stamps.append(next(frame_stamps))
        self._buffered_bytes += size
        self._uncounted = frame  # not in the user's budget yet
        while self._buffer and (
            len(self._buffer) > self._max_messages or self._buffered_bytes > self._max_bytes
        ):
            self.drop_oldest()
        kept = bool(self._buffer) and self._buffer[-1] is frame
        self._uncounted = None
        if self._budget is not None and kept:
            self._budget.add(size)  # may drop from this or another of the user's sessions

    def _droppable_index(self) -> int:
        # The oldest plain output goes first; the oldest of anything if there is none.
        try:
            return self._expendable.index(True)
        except ValueError:
            return 0

    def oldest_droppable(self) -> tuple[int, int] | None:
        """For the user's budget: (0 plain output / 1 other, age stamp) of the next drop."""
        if not self._buffer:
            return None
        index = self._droppable_index()
        return (0 if self._expendable[index] else 1, self._stamps[index])

    def drop_oldest(self) -> None:
        index = self._droppable_index()
        dropped = self._buffer[index]
        if self._expendable[index] or self._last_dropped is None:
            self._last_dropped = dropped  # the notice goes to the cell that lost output
        counted = dropped is not self._uncounted
        del self._buffer[index]
        del self._expendable[index]
        del self._stamps[index]
        self._buffered_bytes -= frame_size(dropped)
        if counted and self._budget is not None:
            self._budget.release(frame_size(dropped))
        self._dropped += 1

    def _release(self, size: int) -> None:
        self._buffered_bytes -= size
        if self._budget is not None:
            self._budget.release(size)

    async def _upstream_gone(self) -> None:
        code = client_close_code(self.upstream.close_code)
        log.info(
            "kernel %s: runtime closed the channel (code %s)", self.key[1], self.upstream.close_code
        )
        self._mark_closed()
        client, self.client = self.client, None
        if client is not None:
            await client.shut(code, "kernel connection closed")

    async def _close_if_kernel_gone(self) -> None:
        """After a final ``shutdown_reply``: close both sides once the server has dropped the
        kernel (a kernel shut down from a frontend is restarted by the server instead)."""
        deadline = time.monotonic() + 3.0
        while not self.closed and time.monotonic() < deadline:
            try:
                if await self._kernel_gone():
                    await self.close(CLOSE_GOING_AWAY, "kernel shut down")
                    return
            except Exception as exc:  # the runtime itself may be going: the pump will see
                log.debug("kernel %s: existence check failed: %r", self.key[1], exc)
            await asyncio.sleep(0.25)

    # --- life cycle -----------------------------------------------------------------

    def _start_grace(self) -> None:
        if self.closed or self.client is not None or self._grace is not None:
            return
        if not self.resumable or self._grace_seconds <= 0:
            self._spawn(self.close(CLOSE_GOING_AWAY, "no browser"))
            return
        self._grace = asyncio.get_running_loop().call_later(self._grace_seconds, self._expire)

    def _expire(self) -> None:
        self._grace = None
        if self.client is None:
            self._spawn(self.close(CLOSE_GOING_AWAY, "reconnect grace period over"))

    def _cancel_grace(self) -> None:
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None

    def _mark_closed(self) -> None:
        self.closed = True
        self._cancel_grace()
        if self._budget is not None:
            self._budget.release(self._buffered_bytes)
            self._budget.leave(self)
        self._buffer.clear()
        self._expendable.clear()
        self._stamps.clear()
        self._buffered_bytes = 0
        self._on_closed(self)

    async def close(self, code: int = CLOSE_GOING_AWAY, reason: str = "") -> None:
        """Close the browser side (if attached) and the upstream connection."""
        first = not self.closed
        if first:
            self._mark_closed()
        if self._pump is not asyncio.current_task() and not self._pump.done():
            if first:
                self._pump.cancel()
            # Otherwise the pump is already telling the browser: wait for it to finish.
            await settle(self._pump)
        if not first:
            return
        started = time.monotonic()
        client, self.client = self.client, None
        if client is not None:
            await client.shut(code, reason)
        with contextlib.suppress(Exception):
            await self.upstream.close()
        log.debug("session %s closed in %.3f s", self.key[2], time.monotonic() - started)
