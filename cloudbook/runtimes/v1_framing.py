"""The ``v1.kernel.websocket.jupyter.org`` binary framing (jupyter_server's
``serialize_msg_to_ws_v1``): a count of offsets, the offsets (little-endian
uint64), the channel name, then the message parts."""

from __future__ import annotations

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
