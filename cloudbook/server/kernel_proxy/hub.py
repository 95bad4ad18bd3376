"""The registry of proxied kernel sessions, keyed by (runtime id, kernel id, session id).

TCP_NODELAY, measured: with Nagle's algorithm on either proxy socket a `1+1`
round trip takes ~48 ms instead of ~14 ms (the reply is several small frames,
each held for the peer's delayed ACK). asyncio sets it on accepted sockets only
when the listening socket was created with ``proto=IPPROTO_TCP`` (a plain
``socket.socket()`` has proto 0, so it does not); uvloop always sets it; uvicorn
itself never does, and ASGI exposes no socket. So the proxy sets it on both
legs itself: upstream through the websockets client's transport, downstream
through the transport of uvicorn's WebSocket protocol (reached via the bound
``receive`` method, see :func:`frames.asgi_transport`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL
from cloudbook.server.kernel_proxy.frames import asgi_transport, set_nodelay
from cloudbook.server.kernel_proxy.replay_budget import ReplayBudget
from cloudbook.server.kernel_proxy.session import CLOSE_GOING_AWAY, ProxySession

if TYPE_CHECKING:
    from starlette.websockets import WebSocket
    from websockets.asyncio.client import ClientConnection

    from cloudbook.runtimes.provider import Runtime
    from cloudbook.server.kernel_proxy.output_cap import OutputCap

log = logging.getLogger("cloudbook.kernel_proxy")


class UpstreamRefused(Exception):
    """The runtime's Jupyter server would not open the kernel channels."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SessionInfo:
    runtime_id: str
    kernel_id: str
    session_id: str
    subprotocol: str | None
    connected: bool
    buffered: int
    buffered_bytes: int
    dropped: int
    upstream_nodelay: bool | None
    downstream_nodelay: bool | None


class KernelProxyHub:
    """Owns every upstream kernel connection; lets a browser reconnect within a grace period.

    ``buffer_messages``/``buffer_bytes`` bound the replay buffer of each session
    (oldest dropped first), ``user_buffer_bytes`` all of one owner's sessions together
    (see ``replay_budget``); ``grace_seconds`` is how long an upstream connection
    stays open with no browser. ``tcp_nodelay`` is for measurements only: ``False``
    actively turns Nagle's algorithm back on for both sockets.
    """

    def __init__(
        self,
        buffer_messages: int = 2000,
        grace_seconds: float = 120.0,
        *,
        buffer_bytes: int = 16 * 1024 * 1024,
        user_buffer_bytes: int | None = 64 * 1024 * 1024,
        max_message_bytes: int | None = 256 * 1024 * 1024,
        connect_timeout: float = 30.0,
        tcp_nodelay: bool = True,
        output_message_bytes: int | None = None,
        output_cell_bytes: int | None = None,
    ) -> None:
        self.buffer_messages = buffer_messages
        self.grace_seconds = grace_seconds
        self.buffer_bytes = buffer_bytes
        self.user_buffer_bytes = user_buffer_bytes
        self._budgets: dict[str, ReplayBudget] = {}
        self.max_message_bytes = max_message_bytes
        self.connect_timeout = connect_timeout
        self.tcp_nodelay = tcp_nodelay
        # Output caps (cloudbook.server.kernel_proxy.output_cap); None: uncapped. The
        # service passes CLOUDBOOK_OUTPUT_MESSAGE_MAX_BYTES / _CELL_MAX_BYTES.
        self.output_message_bytes = output_message_bytes
        self.output_cell_bytes = output_cell_bytes
        self._sessions: dict[tuple[str, str, str], ProxySession] = {}
        self._by_runtime: dict[str, set[ProxySession]] = {}
        self._activity: dict[str, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._anonymous = 0
        self._held: dict[str, int] = {}

    # --- for the idle reaper --------------------------------------------------------

    def last_activity(self, runtime_id: str) -> float | None:
        """``time.monotonic()`` of the last frame either way, or of the last (dis)connect."""
        return self._activity.get(runtime_id)

    def has_clients(self, runtime_id: str) -> bool:
        if self._held.get(runtime_id):
            return True
        return any(s.client is not None for s in self._by_runtime.get(runtime_id, ()))

    def hold(self, runtime_id: str) -> None:
        """The service itself uses the runtime (a cell it runs): not idle, as a browser."""
        self._held[runtime_id] = self._held.get(runtime_id, 0) + 1
        self._touch(runtime_id)

    def unhold(self, runtime_id: str) -> None:
        left = self._held.get(runtime_id, 0) - 1
        if left > 0:
            self._held[runtime_id] = left
        else:
            self._held.pop(runtime_id, None)
        self._touch(runtime_id)

    def touch(self, runtime_id: str) -> None:
        """Traffic the service's own kernel connection saw (the idle reaper's clock)."""
        self._touch(runtime_id)

    def describe(self, runtime_id: str) -> list[SessionInfo]:
        return [
            SessionInfo(
                runtime_id=s.key[0],
                kernel_id=s.key[1],
                session_id=s.key[2],
                subprotocol=s.subprotocol,
                connected=s.client is not None,
                buffered=s.buffered,
                buffered_bytes=s.buffered_bytes,
                dropped=s.dropped,
                upstream_nodelay=s.upstream_nodelay,
                downstream_nodelay=s.downstream_nodelay,
            )
            for s in self._by_runtime.get(runtime_id, ())
        ]

    # --- shutdown -------------------------------------------------------------------

    async def close_runtime(self, runtime_id: str, code: int = CLOSE_GOING_AWAY) -> None:
        """Close every browser and upstream connection of a runtime (it is going away)."""
        sessions = list(self._by_runtime.get(runtime_id, ()))
        await asyncio.gather(*(s.close(code, "runtime stopped") for s in sessions))
        self._by_runtime.pop(runtime_id, None)
        self._activity.pop(runtime_id, None)

    async def close_all(self) -> None:
        for runtime_id in list(self._by_runtime):
            await self.close_runtime(runtime_id)
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # --- serving --------------------------------------------------------------------

    def output_cap(self, subprotocol: str | None) -> OutputCap | None:
        """The output caps for one kernel connection (None when the caps are off)."""
        from cloudbook.server.kernel_proxy.output_cap import OutputCap

        if self.output_message_bytes is None or self.output_cell_bytes is None:
            return None
        return OutputCap(self.output_message_bytes, self.output_cell_bytes, subprotocol)

    async def serve(
        self, websocket: WebSocket, runtime: Runtime, kernel_id: str, owner: str | None = None
    ) -> None:
        """``owner``: whose replay budget the session draws on (None: only its own caps)."""
        offered = list(websocket.scope.get("subprotocols") or [])
        want_v1 = V1_SUBPROTOCOL in offered
        session_id = websocket.query_params.get("session_id") or ""
        session = self._claim((runtime.runtime_id, kernel_id, session_id), want_v1)
        if session is None:
            try:
                session = await self._open(runtime, kernel_id, session_id, want_v1, owner)
            except UpstreamRefused as exc:
                await _deny(websocket, exc)
                return
        try:
            await websocket.accept(subprotocol=session.subprotocol)
        except Exception:
            session.release()  # the browser left during the handshake
            raise
        transport = asgi_transport(getattr(websocket, "_receive", None))
        session.downstream_nodelay = set_nodelay(transport, self.tcp_nodelay)
        if session.downstream_nodelay is None:
            log.debug("kernel proxy: no access to the browser socket to set TCP_NODELAY")
        self._touch(runtime.runtime_id)
        await session.run_client(websocket)

    def _claim(self, key: tuple[str, str, str], want_v1: bool) -> ProxySession | None:
        if not key[2]:
            return None
        session = self._sessions.get(key)
        if session is None or session.closed:
            return None
        if session.subprotocol == V1_SUBPROTOCOL and not want_v1:
            # The browser switched framing: the buffered frames are in the other one.
            self._spawn(session.close(CLOSE_GOING_AWAY, "protocol changed"))
            return None
        session.claim()
        return session

    async def _open(
        self,
        runtime: Runtime,
        kernel_id: str,
        session_id: str,
        want_v1: bool,
        owner: str | None = None,
    ) -> ProxySession:
        resumable = bool(session_id)
        if not session_id:
            # Jupyter needs a session id; one nobody knows cannot be resumed.
            self._anonymous += 1
            session_id = f"cloudbook-anonymous-{self._anonymous}-{time.monotonic_ns()}"
        upstream = await self._connect(runtime, kernel_id, session_id, want_v1)
        key = (runtime.runtime_id, kernel_id, session_id)
        session = ProxySession(
            key=key,
            upstream=upstream,
            resumable=resumable,
            buffer_messages=self.buffer_messages,
            buffer_bytes=self.buffer_bytes,
            grace_seconds=self.grace_seconds,
            touch=lambda: self._touch(key[0]),
            on_closed=self._forget,
            spawn=self._spawn,
            kernel_gone=lambda: _kernel_gone(runtime, kernel_id),
            budget=self._budget_of(owner),
            output_cap=self.output_cap(upstream.subprotocol),
        )
        session.upstream_nodelay = set_nodelay(upstream.transport, self.tcp_nodelay)
        older = self._sessions.get(key)
        if older is not None and not older.closed:
            self._spawn(older.close(CLOSE_GOING_AWAY, "replaced by a newer connection"))
        self._sessions[key] = session
        self._by_runtime.setdefault(key[0], set()).add(session)
        return session

    async def _connect(
        self, runtime: Runtime, kernel_id: str, session_id: str, want_v1: bool
    ) -> ClientConnection:
        from websockets.exceptions import InvalidStatus, WebSocketException
        from websockets.typing import Subprotocol

        from cloudbook.runtimes.connect import ws_connect

        path = (
            f"/api/kernels/{quote(kernel_id, safe='')}/channels"
            f"?session_id={quote(session_id, safe='')}"
        )
        try:
            return await ws_connect(
                runtime,
                path,
                subprotocols=[Subprotocol(V1_SUBPROTOCOL)] if want_v1 else None,
                additional_headers={"Authorization": f"token {runtime.token}"},
                max_size=self.max_message_bytes,
                # Loopback or cluster network: compression costs CPU and latency for nothing.
                compression=None,
                # Keepalive pings would time out whenever a slow browser pauses our reads.
                ping_interval=None,
                open_timeout=self.connect_timeout,
                close_timeout=2,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 404:
                raise UpstreamRefused(404, "no_such_kernel", "No such kernel.") from None
            log.warning("runtime %s refused kernel channels: HTTP %d", runtime.runtime_id, status)
            raise UpstreamRefused(
                502, "runtime_refused", "The runtime refused the connection."
            ) from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            log.warning("runtime %s unreachable: %s", runtime.runtime_id, type(exc).__name__)
            raise UpstreamRefused(
                502, "runtime_unreachable", "The runtime is not reachable."
            ) from None

    # --- bookkeeping ----------------------------------------------------------------

    def _budget_of(self, owner: str | None) -> ReplayBudget | None:
        if owner is None or self.user_buffer_bytes is None:
            return None
        budget = self._budgets.get(owner)
        if budget is None:
            budget = self._budgets[owner] = ReplayBudget(self.user_buffer_bytes)
        return budget

    def buffered_bytes_of(self, owner: str) -> int:
        """What one owner's sessions hold for their browsers now."""
        budget = self._budgets.get(owner)
        return 0 if budget is None else budget.used

    def _touch(self, runtime_id: str) -> None:
        self._activity[runtime_id] = time.monotonic()

    def _forget(self, session: ProxySession) -> None:
        if self._sessions.get(session.key) is session:
            del self._sessions[session.key]
        for owner, budget in list(self._budgets.items()):
            if budget.empty:
                del self._budgets[owner]
        peers = self._by_runtime.get(session.runtime_id)
        if peers is not None:
            peers.discard(session)
            if not peers:
                del self._by_runtime[session.runtime_id]

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _kernel_gone(runtime: Runtime, kernel_id: str) -> bool:
    from cloudbook.runtimes.jupyter_api import JupyterServerClient, KernelNotFound

    try:
        await JupyterServerClient(runtime, timeout=5).kernel_status(kernel_id)
    except KernelNotFound:
        return True
    return False


async def _deny(websocket: WebSocket, exc: UpstreamRefused) -> None:
    """Refuse the handshake with an HTTP answer where the server supports it."""
    from starlette.responses import JSONResponse

    body = JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status
    )
    try:
        await websocket.send_denial_response(body)
    except RuntimeError:
        await websocket.close(code=1011)
