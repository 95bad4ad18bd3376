"""Jupyter's two binary WebSocket framings.

- ``v1.kernel.websocket.jupyter.org`` (jupyter_server's ``serialize_msg_to_ws_v1``): a
  count of offsets, the offsets (little-endian uint64), the channel name, then the
  message parts.
- The legacy protocol sends JSON text, except for a message with binary buffers, which
  comes as one binary frame (jupyter_server's ``serialize_binary_message``): the number
  of parts and their offsets (big-endian uint32), the message as JSON, then the buffers.
"""

from __future__ import annotations

import itertools
import json
import struct
from typing import Any

V1_SUBPROTOCOL = "v1.kernel.websocket.jupyter.org"


def split_v1(data: bytes) -> tuple[str, list[bytes]]:
    """Channel and message parts (header, parent, metadata, content, buffers…)."""
    count = int.from_bytes(data[:8], "little")
    if count < 2 or 8 * (count + 1) > len(data):
        raise ValueError("bad v1 frame")
    offsets = [int.from_bytes(data[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    offsets.append(len(data))
    channel = data[offsets[0] : offsets[1]].decode()
    parts = [data[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    return channel, parts


def encode_v1(channel: str, parts: list[bytes]) -> bytes:
    channel_bytes = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel_bytes))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + channel_bytes + b"".join(parts)


def decode_legacy_binary(data: bytes) -> dict[str, Any]:
    """A legacy-protocol binary frame: the message (with its ``channel``) and its buffers."""
    if len(data) < 8:
        raise ValueError("bad binary kernel message")
    count = struct.unpack_from("!I", data)[0]
    if count < 1 or 4 * (count + 1) > len(data):
        raise ValueError("bad binary kernel message")
    offsets = list(struct.unpack_from("!" + "I" * count, data, 4))
    offsets.append(len(data))
    if any(b < a for a, b in itertools.pairwise(offsets)) or offsets[-1] > len(data):
        raise ValueError("bad binary kernel message")
    parts = [data[offsets[i] : offsets[i + 1]] for i in range(count)]
    message: dict[str, Any] = json.loads(parts[0])
    message["buffers"] = parts[1:]
    return message


def encode_legacy_binary(message: dict[str, Any], buffers: list[bytes]) -> bytes:
    """The inverse of ``decode_legacy_binary`` (what a client sends for a message with
    buffers, e.g. a comm reply carrying bytes)."""
    body = dict(message)
    body.pop("buffers", None)
    parts = [json.dumps(body).encode(), *buffers]
    offsets = [4 * (len(parts) + 1)]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    return struct.pack("!" + "I" * (len(parts) + 1), len(parts), *offsets) + b"".join(parts)
