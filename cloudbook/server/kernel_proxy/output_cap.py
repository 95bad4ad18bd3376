"""Output caps on the kernel's iopub stream: per message and per cell run.

A runaway ``while True: print('x' * 10**6)`` would otherwise grow the page, the
replay buffer and the saved notebook without end. Each output message larger
than ``message_bytes`` is replaced by its head plus a visible marker
(``[output truncated: 12.5 MB not shown]``); once one request's outputs pass
``cell_bytes``, its further plain output (stream and display messages) is
dropped, one marker says so at once, and a last marker with the total not shown
comes just before the request's ``idle`` status. Markers are ordinary stderr
``stream`` messages parented to the cell, so the page shows them and the
notebook saves them like any output. Results and errors are never dropped (only
cut to the message cap): a run still ends as the kernel said.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL, encode_v1, split_v1

Frame = str | bytes

# Output a cell keeps adding to; dropped once the cell passed its cap.
_DROPPABLE = frozenset({"stream", "display_data", "update_display_data"})
_OUTPUT = _DROPPABLE | {"execute_result", "error"}
_HEADER_PEEK = 512  # the header (with msg_type) comes first in both framings


def marker_text(not_shown: int) -> str:
    return f"\n[output truncated: {not_shown / 1e6:.1f} MB not shown]\n"


class _Message:
    """A kernel message read as far as needed (v1: header, parent and content on demand),
    and how to put it back in the connection's framing."""

    def __init__(self, frame: Frame, subprotocol: str | None) -> None:
        self.v1 = subprotocol == V1_SUBPROTOCOL and isinstance(frame, bytes)
        self._parts: list[bytes] = []
        self._decoded: dict[str, Any] = {}
        if self.v1:
            assert isinstance(frame, bytes)
            self.channel, self._parts = split_v1(frame)
            return
        if isinstance(frame, bytes):  # legacy binary framing: JSON first, then buffers
            (nbufs,) = struct.unpack("!I", frame[:4])
            offsets = struct.unpack("!" + "I" * nbufs, frame[4 : 4 * (nbufs + 1)])
            end = offsets[1] if nbufs > 1 else len(frame)
            msg = json.loads(frame[offsets[0] : end])
        else:
            msg = json.loads(frame)
        self.channel = msg.get("channel")
        for index, key in enumerate(("header", "parent_header", "metadata", "content")):
            self._decoded[str(index)] = msg.get(key) or {}

    def _part(self, index: int) -> dict[str, Any]:
        key = str(index)
        if key not in self._decoded:
            value = json.loads(self._parts[index])
            self._decoded[key] = value if isinstance(value, dict) else {}
        result: dict[str, Any] = self._decoded[key]
        return result

    @property
    def parent_id(self) -> str:
        """The request's msg_id; v1 reads it straight from the bytes (ids are plain
        strings: hex, uuids, ``<session>_<n>``), JSON only when that does not work."""
        if self.v1 and "1" not in self._decoded:
            raw = self._parts[1]
            start = raw.find(b'"msg_id"')
            if start >= 0:
                open_quote = raw.find(b'"', raw.find(b":", start) + 1)
                close_quote = raw.find(b'"', open_quote + 1)
                value = raw[open_quote + 1 : close_quote]
                if open_quote > 0 and close_quote > 0 and b"\\" not in value:
                    return value.decode("utf-8", "replace")
        return str(self.parent.get("msg_id", ""))

    def is_idle_status(self) -> bool:
        if self.v1 and "3" not in self._decoded and b'"idle"' not in self._parts[3]:
            return False
        return self.content.get("execution_state") == "idle"

    @property
    def header(self) -> dict[str, Any]:
        return self._part(0)

    @property
    def parent(self) -> dict[str, Any]:
        return self._part(1)

    @property
    def content(self) -> dict[str, Any]:
        return self._part(3)

    def encode(self, content: dict[str, Any]) -> Frame:
        """The message with new content and without binary buffers."""
        return build(self.channel, self.header, self.parent, self._part(2), content, self.v1)


def build(
    channel: str,
    header: dict[str, Any],
    parent: dict[str, Any],
    metadata: dict[str, Any],
    content: dict[str, Any],
    v1: bool,
) -> Frame:
    if v1:
        parts = [json.dumps(x).encode() for x in (header, parent, metadata, content)]
        return encode_v1(channel, parts)
    return json.dumps(
        {
            "header": header,
            "msg_id": header.get("msg_id"),
            "msg_type": header.get("msg_type"),
            "parent_header": parent,
            "metadata": metadata,
            "content": content,
            "buffers": [],
            "channel": channel,
        }
    )


def _marker(parent: dict[str, Any], text: str, v1: bool) -> Frame:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": "stream",
        "username": "cloudbook",
        "session": str(parent.get("session", "")),
        "date": datetime.now(UTC).isoformat(),
        "version": "5.3",
    }
    return build("iopub", header, parent, {}, {"name": "stderr", "text": text}, v1)


def _peek_type(frame: Frame) -> str | None:
    """A cheap look for ``msg_type`` in the frame's first bytes; None: not found."""
    head = frame[:_HEADER_PEEK]
    text = head.decode("latin-1") if isinstance(head, bytes) else head
    start = text.find('"msg_type"')
    if start < 0:
        return None
    rest = text[start + len('"msg_type"') :].lstrip(" :")
    if not rest.startswith('"'):
        return None
    end = rest.find('"', 1)
    return rest[1:end] if end > 0 else None


class OutputCap:
    """Applies the caps to one upstream connection's frames, in order."""

    def __init__(self, message_bytes: int, cell_bytes: int, subprotocol: str | None) -> None:
        self.message_bytes = message_bytes
        self.cell_bytes = cell_bytes
        self.subprotocol = subprotocol
        self._sent: dict[str, int] = {}  # request msg_id → output bytes passed on
        self._dropped: dict[str, int] = {}  # request msg_id → output bytes not shown

    async def frames(self, upstream: AsyncIterable[Frame]) -> AsyncIterator[Frame]:
        async for frame in upstream:
            for out in self.apply(frame):
                yield out

    def apply(self, frame: Frame) -> Iterable[Frame]:
        msg_type = _peek_type(frame)
        if msg_type is not None and msg_type not in _OUTPUT and msg_type != "status":
            return (frame,)  # replies, comms, input requests: untouched, unparsed
        try:
            msg = _Message(frame, self.subprotocol)
        except (ValueError, KeyError, IndexError, TypeError, struct.error):
            return (frame,)
        if msg.channel != "iopub":
            return (frame,)
        kind = msg_type or msg.header.get("msg_type")
        request = msg.parent_id
        if kind == "status":
            return self._on_status(frame, msg, request)
        if kind not in _OUTPUT:
            return (frame,)
        size = len(frame)
        sent = self._sent.get(request, 0)
        if kind in _DROPPABLE and request in self._dropped:
            self._dropped[request] += size
            return ()
        if kind in _DROPPABLE and sent + size > self.cell_bytes:
            self._dropped[request] = size
            text = (
                f"\n[output truncated: this cell's output passed "
                f"{self.cell_bytes / 1e6:.1f} MB; the rest is not shown]\n"
            )
            return (_marker(msg.parent, text, msg.v1),)
        if size > self.message_bytes:
            frame = self._truncate(msg, size)
            size = len(frame)
        self._sent[request] = sent + size
        return (frame,)

    def _on_status(self, frame: Frame, msg: _Message, request: str) -> Iterable[Frame]:
        if not msg.is_idle_status():
            return (frame,)
        self._sent.pop(request, None)
        dropped = self._dropped.pop(request, None)
        if dropped is None:
            return (frame,)
        return (_marker(msg.parent, marker_text(dropped), msg.v1), frame)

    def _truncate(self, msg: _Message, size: int) -> Frame:
        content = msg.content
        keep = self.message_bytes // 2
        if msg.header.get("msg_type") == "stream":
            text = str(content.get("text", ""))
            cut = text[:keep]
            content = {**content, "text": cut + marker_text(size - len(cut.encode()))}
        elif msg.header.get("msg_type") == "error":
            traceback = [str(line)[:keep] for line in content.get("traceback", [])[:200]]
            content = {**content, "evalue": str(content.get("evalue", ""))[:keep]}
            content["traceback"] = [*traceback, marker_text(size).strip()]
        else:  # display_data, update_display_data, execute_result: the data cannot be cut
            content = {
                **content,
                "data": {"text/plain": marker_text(size).strip()},
                "metadata": {},
            }
        return msg.encode(content)
