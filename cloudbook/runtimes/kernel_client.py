"""A small kernel client over a Jupyter server's kernel WebSocket (legacy JSON framing,
or the v1 binary one).

Used by headless runs and benchmarks; the browser has its own in TypeScript. Every
message the kernel may send is taken: binary buffers (comms, widgets) in either framing,
and a kernel that dies or restarts ends the wait with ``KernelDied``.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudbook.runtimes.provider import Runtime
from cloudbook.runtimes.v1_framing import (
    V1_SUBPROTOCOL,
    decode_legacy_binary,
    encode_legacy_binary,
    encode_v1,
    split_v1,
)

Message = dict[str, Any]
# One frame from the server in, the frames to decode out (cloudbook.server.kernel_proxy's
# OutputCap.apply).
FrameFilter = Callable[[str | bytes], Iterable[str | bytes]]


def new_message(msg_type: str, content: dict[str, Any], session: str, channel: str) -> Message:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "cloudbook",
            "session": session,
            "date": datetime.now(UTC).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


@dataclass
class ExecutionResult:
    reply: Message
    iopub: list[Message] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.reply.get("content", {}).get("status", "error"))


# Called for an input_request: returns the text to send, or None to refuse.
InputProvider = Callable[[Message], Awaitable[str | None]]
# Called for every iopub message belonging to the request (progress display).
IopubListener = Callable[[Message], None]


class KernelConnection:
    """``protocol="v1"`` speaks the binary framing browsers use; "legacy" speaks JSON text."""

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        protocol: str = "legacy",
        *,
        runtime: Runtime | None = None,
        frame_filter: FrameFilter | None = None,
    ) -> None:
        """``url`` is the channels URL; with ``runtime`` it is a path on that runtime's
        server, reached as cloudbook.runtimes.connect decides (its Unix socket)."""
        self.url = url
        self.headers = headers
        self.v1 = protocol == "v1"
        self.session = uuid.uuid4().hex
        self.runtime = runtime
        # Applied to each frame from the server before it is decoded (the output caps):
        # one frame in, any number out.
        self.frame_filter = frame_filter
        self._filtered: deque[str | bytes] = deque()
        self._ws: Any = None

    @classmethod
    def to_runtime(
        cls,
        runtime: Runtime,
        kernel_id: str,
        protocol: str = "legacy",
        *,
        frame_filter: FrameFilter | None = None,
    ) -> KernelConnection:
        return cls(
            f"/api/kernels/{kernel_id}/channels",
            {"Authorization": f"token {runtime.token}"},
            protocol,
            runtime=runtime,
            frame_filter=frame_filter,
        )

    async def __aenter__(self) -> KernelConnection:
        from websockets.asyncio.client import connect

        from cloudbook.runtimes.connect import ws_connect

        options: dict[str, Any] = {
            "additional_headers": self.headers,
            "max_size": None,
            "ping_interval": None,
            "subprotocols": [V1_SUBPROTOCOL] if self.v1 else None,
        }
        target = f"{self.url}?session_id={self.session}"
        if self.runtime is not None:
            self._ws = await ws_connect(self.runtime, target, **options)
        else:
            self._ws = await connect(target, **options)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def send(self, msg: Message) -> None:
        buffers = [bytes(b) for b in msg.get("buffers") or []]
        if not self.v1:
            if buffers:
                await self._ws.send(encode_legacy_binary(msg, buffers))
            else:
                await self._ws.send(json.dumps({k: v for k, v in msg.items() if k != "buffers"}))
            return
        parts = [
            json.dumps(msg[key]).encode()
            for key in ("header", "parent_header", "metadata", "content")
        ]
        await self._ws.send(encode_v1(msg["channel"], parts + buffers))

    async def recv(self) -> Message:
        from websockets.exceptions import ConnectionClosed

        try:
            while self.frame_filter is not None and not self._filtered:
                self._filtered.extend(self.frame_filter(await self._ws.recv()))
            raw = self._filtered.popleft() if self._filtered else await self._ws.recv()
        except ConnectionClosed:
            raise KernelDied("The runtime closed the kernel connection.") from None
        if isinstance(raw, str):
            message: Message = json.loads(raw)
            return message
        if not self.v1:
            # The legacy protocol sends a message with binary buffers as one binary frame.
            return decode_legacy_binary(raw)
        channel, parts = split_v1(raw)
        header, parent, metadata, content = (json.loads(p) for p in parts[:4])
        return {
            "channel": channel,
            "header": header,
            "parent_header": parent,
            "metadata": metadata,
            "content": content,
            "buffers": [p for p in parts[4:] if p],
        }

    async def execute(
        self,
        code: str,
        *,
        on_iopub: IopubListener | None = None,
        on_input: InputProvider | None = None,
        stop_on_error: bool = True,
    ) -> ExecutionResult:
        request = new_message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": on_input is not None,
                "stop_on_error": stop_on_error,
            },
            self.session,
            "shell",
        )
        msg_id = request["header"]["msg_id"]
        await self.send(request)
        result = ExecutionResult(reply={})
        idle = False
        while not (idle and result.reply):
            msg = await self.recv()
            if _kernel_gone(msg):
                raise KernelDied("The kernel died while running this cell.")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            channel, kind = msg.get("channel"), msg["header"]["msg_type"]
            if channel == "shell" and kind == "execute_reply":
                result.reply = msg
            elif channel == "stdin" and kind == "input_request" and on_input is not None:
                value = await on_input(msg)
                if value is not None:
                    reply = new_message("input_reply", {"value": value}, self.session, "stdin")
                    reply["parent_header"] = msg["header"]
                    await self.send(reply)
            elif channel == "iopub":
                if kind == "status":
                    idle = msg["content"].get("execution_state") == "idle"
                else:
                    result.iopub.append(msg)
                    if on_iopub is not None:
                        on_iopub(msg)
        return result


def _kernel_gone(msg: Message) -> bool:
    """The server's own status message (no parent) when the kernel process died: it is
    restarted ("restarting", then a fresh kernel that never answers this request) or
    given up ("dead")."""
    if msg.get("header", {}).get("msg_type") != "status":
        return False
    return msg.get("content", {}).get("execution_state") in ("restarting", "dead")


class KernelDied(RuntimeError):
    pass
