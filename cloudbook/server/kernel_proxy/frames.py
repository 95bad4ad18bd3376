"""Frame helpers for the kernel proxy, used only off the hot path.

Frames are passed through untouched; these helpers read a frame's parent
header (to attach a "messages were dropped" notice to the right cell) and
build that notice in whichever framing the connection speaks.
"""

from __future__ import annotations

import json
import socket
import struct
import uuid
from datetime import UTC, datetime
from typing import Any

from cloudbook.runtimes.v1_framing import V1_SUBPROTOCOL, encode_v1
from cloudbook.runtimes.v1_framing import split_v1 as _v1_parts

Frame = str | bytes


def parent_header_of(frame: Frame, subprotocol: str | None) -> dict[str, Any]:
    """The parent header of a kernel message frame, or ``{}`` if it cannot be read."""
    try:
        if subprotocol == V1_SUBPROTOCOL and isinstance(frame, bytes):
            _, parts = _v1_parts(frame)
            parent = json.loads(parts[1])
        elif isinstance(frame, bytes):
            # Legacy binary framing (a message with buffers): big-endian part offsets.
            (nbufs,) = struct.unpack("!I", frame[:4])
            offsets = struct.unpack("!" + "I" * nbufs, frame[4 : 4 * (nbufs + 1)])
            end = offsets[1] if nbufs > 1 else len(frame)
            parent = json.loads(frame[offsets[0] : end])["parent_header"]
        else:
            parent = json.loads(frame)["parent_header"]
    except (ValueError, KeyError, IndexError, TypeError, struct.error):
        return {}
    return parent if isinstance(parent, dict) else {}


# Dropped first when the replay buffer overflows: output that only adds to what a cell shows.
# Replies, input requests, status changes, errors and results are kept while there are
# such messages to drop instead, so a resumed cell still finishes, and still asks for input.
_EXPENDABLE = frozenset(
    {
        "stream",
        "display_data",
        "update_display_data",
        "clear_output",
        "execute_input",
        "comm_msg",
    }
)
_BIG_TEXT = 64 * 1024  # legacy frames larger than this are outputs, not worth parsing


def is_expendable(frame: Frame, subprotocol: str | None) -> bool:
    """Whether a frame from the kernel is plain output (dropped first on overflow)."""
    if isinstance(frame, str) and len(frame) > _BIG_TEXT:
        return True
    try:
        if subprotocol == V1_SUBPROTOCOL and isinstance(frame, bytes):
            channel, parts = _v1_parts(frame)
            msg_type = json.loads(parts[0]).get("msg_type")
        else:
            channel, header, _ = _header_and_content(frame, subprotocol)
            msg_type = header.get("msg_type")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error):
        return True
    return channel == "iopub" and msg_type in _EXPENDABLE


def _header_and_content(frame: Frame, subprotocol: str | None) -> tuple[str, Any, Any]:
    if subprotocol == V1_SUBPROTOCOL and isinstance(frame, bytes):
        channel, parts = _v1_parts(frame)
        return channel, json.loads(parts[0]), json.loads(parts[3])
    if isinstance(frame, bytes):
        (nbufs,) = struct.unpack("!I", frame[:4])
        offsets = struct.unpack("!" + "I" * nbufs, frame[4 : 4 * (nbufs + 1)])
        end = offsets[1] if nbufs > 1 else len(frame)
        msg = json.loads(frame[offsets[0] : end])
    else:
        msg = json.loads(frame)
    return msg.get("channel"), msg.get("header"), msg.get("content")


def is_final_shutdown(frame: Frame, subprotocol: str | None) -> bool:
    """Whether a frame is the kernel's broadcast ``shutdown_reply`` without restart.

    jupyter_server keeps a kernel's WebSockets open (and silent) after the kernel
    is shut down; this message is the only sign on the wire. Checked for every
    upstream frame, so it starts with a bounded substring search: the header
    (with ``msg_type``) comes first in both framings.
    """
    mark: Frame = b"shutdown_reply" if isinstance(frame, bytes) else "shutdown_reply"
    if frame.find(mark, 0, 1024) < 0:  # type: ignore[arg-type]
        return False
    try:
        channel, header, content = _header_and_content(frame, subprotocol)
        return bool(
            channel == "iopub"
            and header.get("msg_type") == "shutdown_reply"
            and not content.get("restart", False)
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error):
        return False


def dropped_notice(count: int, parent: dict[str, Any], subprotocol: str | None) -> Frame:
    """A standard iopub ``stream`` (stderr) message telling the user output was lost.

    It is parented to the request whose output was dropped, so a frontend shows
    it in that cell's output like any other stderr line.
    """
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": "stream",
        "username": "cloudbook",
        "session": str(parent.get("session", "")),
        "date": datetime.now(UTC).isoformat(),
        "version": "5.3",
    }
    content = {
        "name": "stderr",
        "text": (
            f"[cloudbook] {count} earlier output message(s) were dropped "
            "while the browser was disconnected.\n"
        ),
    }
    if subprotocol == V1_SUBPROTOCOL:
        parts = [json.dumps(x).encode() for x in (header, parent, {}, content)]
        return encode_v1("iopub", parts)
    message = {
        "header": header,
        "msg_id": msg_id,
        "msg_type": "stream",
        "parent_header": parent,
        "metadata": {},
        "content": content,
        "buffers": [],
        "channel": "iopub",
    }
    return json.dumps(message)


def frame_size(frame: Frame) -> int:
    # len() of a str counts characters; close enough for a memory bound on mostly-ASCII JSON.
    return len(frame)


# --- TCP_NODELAY --------------------------------------------------------------------------


def set_nodelay(transport: object, enabled: bool = True) -> bool | None:
    """Set TCP_NODELAY on an asyncio transport's socket; return the value read back.

    ``None`` when there is no TCP socket to set it on (Unix socket, no transport).
    Kernel traffic is many small frames answered by small frames: with Nagle's
    algorithm on, a write waits for the peer's delayed ACK (~40 ms) whenever an
    earlier small write is unacknowledged.
    """
    get_extra_info = getattr(transport, "get_extra_info", None)
    if get_extra_info is None:
        return None
    sock = get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if enabled else 0)
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    except OSError:
        return None


def asgi_transport(receive: object) -> object | None:
    """The transport under an ASGI ``receive`` callable, when the server exposes it.

    ASGI gives no access to the connection; uvicorn's WebSocket protocols
    (``websockets``, ``websockets-sansio``, ``wsproto``) hand the app a bound
    method of the protocol object, which holds the transport. With another
    server, or a middleware wrapping ``receive``, this returns ``None``.
    """
    protocol = getattr(receive, "__self__", None)
    return getattr(protocol, "transport", None)
