"""Colab's kernel <-> browser request mechanism.

A request is an iopub message of type ``colab_request``:
``content = {"request": body}``, ``metadata = {"colab_request_type": type,
"colab_msg_id": id}``, parented to the cell's execute_request. The browser
answers on the stdin channel with an ``input_reply`` whose ``content.value`` is
``{"type": "colab_reply", "colab_msg_id": id, "data": ...}`` or ``{..., "error": ...}``
(see docs/colab-protocol.md). Replies are read from the kernel's stdin socket
the way ipykernel's ``raw_input`` reads its ``input_reply``: polled with a short
timeout so that an interrupt (KeyboardInterrupt) gets through.
"""

from __future__ import annotations

import collections
import os
import sys
import time
import uuid
from typing import Any

from google.colab import _ipython, errors

# Interrupt latency while waiting; a reply wakes the poll at once.
_POLL_MS = 50
# Replies that arrived for another request than the one being waited for.
_stashed_replies: dict[str, dict[str, Any]] = {}
# Plain-text input_replies (typed into a running shell command's stdin box).
_stdin_lines: collections.deque[str] = collections.deque()
_STASH_LIMIT = 100


class MessageError(errors.Error):
    """The browser answered a request with an error."""


class HeadlessError(MessageError):
    """A request needed a browser, but the notebook runs headless (``cloudbook run``)."""


# What a person would call each request, for the headless error message.
_REQUEST_NAMES = {
    "cell_javascript_eval": "output.eval_js()",
    "GetSecret": "userdata.get()",
    "unassign_runtime": "runtime.unassign()",
}


def is_headless() -> bool:
    """True when no browser is attached (set by ``cloudbook run``)."""
    return os.environ.get("CLOUDBOOK_HEADLESS", "").lower() not in ("", "0", "false", "no")


def headless_error(what: str, hint: str = "") -> HeadlessError:
    text = (
        f"{what} needs a browser, but this notebook is running headless "
        "(cloudbook run, no browser attached)"
    )
    return HeadlessError(text + (f"; {hint}" if hint else "."))


def _kernel() -> Any:
    kernel = _ipython.get_kernel()
    if kernel is None:
        raise MessageError("google.colab requests only work inside a Jupyter kernel")
    return kernel


def _flush_streams() -> None:
    # Earlier prints must reach the browser before the request they lead up to.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def send_request(
    request_type: str,
    request_body: Any,
    parent: dict[str, Any] | None = None,
    expect_reply: bool = True,
) -> str:
    """Send a ``colab_request`` to the browser; returns its ``colab_msg_id``."""
    if expect_reply and is_headless():
        raise headless_error(_REQUEST_NAMES.get(request_type, f"request {request_type!r}"))
    kernel = _kernel()
    if parent is None:
        # The cell's execute_request: the browser routes the request to that cell.
        parent = kernel.shell.parent_header or None
    request_id = str(uuid.uuid4())
    metadata = {"colab_request_type": request_type, "colab_msg_id": request_id}
    _flush_streams()
    kernel.session.send(
        kernel.iopub_socket,
        "colab_request",
        {"request": request_body},
        parent=parent,
        metadata=metadata,
        ident=b"colab_request",
    )
    return request_id


def _reply_value(msg: dict[str, Any]) -> tuple[Any, list[bytes]]:
    content = msg.get("content") or {}
    buffers = [bytes(b) for b in msg.get("buffers") or []]
    return content.get("value", ""), buffers


def _receive(timeout_ms: int) -> tuple[Any, list[bytes]] | None:
    """The next stdin message's value (and binary buffers), or None after timeout_ms."""
    import zmq

    kernel = _kernel()
    socket = kernel.stdin_socket
    if not socket.poll(timeout_ms, zmq.POLLIN):
        return None
    try:
        _, msg = kernel.session.recv(socket, mode=zmq.NOBLOCK)
    except zmq.Again:
        return None
    except Exception:  # a malformed or wrongly signed message: ignore it, as ipykernel does
        return None
    if msg is None:
        return None
    return _reply_value(msg)


def _file_away(value: Any, buffers: list[bytes]) -> None:
    if isinstance(value, str):
        _stdin_lines.append(value)
    elif isinstance(value, dict) and value.get("type") == "colab_reply":
        if len(_stashed_replies) >= _STASH_LIMIT:
            _stashed_replies.pop(next(iter(_stashed_replies)))
        _stashed_replies[str(value.get("colab_msg_id"))] = {**value, "_buffers": buffers}


def _take_reply(message_id: str, reply: dict[str, Any]) -> Any:
    if "error" in reply:
        error = reply["error"]
        if isinstance(error, dict):
            error = error.get("message") or error.get("name") or error
        raise MessageError(str(error))
    return reply.get("data")


def read_reply_with_buffers(
    message_id: str, timeout_sec: float | None = None
) -> tuple[Any, list[bytes]] | None:
    """Wait for the reply to ``message_id``: (data, binary buffers), or None on timeout.

    Raises MessageError when the browser answered with an error.
    """
    deadline = None if not timeout_sec else time.monotonic() + timeout_sec
    while True:
        stashed = _stashed_replies.pop(message_id, None)
        if stashed is not None:
            return _take_reply(message_id, stashed), stashed.get("_buffers", [])
        wait_ms = _POLL_MS
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            wait_ms = max(1, min(_POLL_MS, int(left * 1000)))
        received = _receive(wait_ms)
        if received is None:
            continue
        value, buffers = received
        if (
            isinstance(value, dict)
            and value.get("type") == "colab_reply"
            and value.get("colab_msg_id") == message_id
        ):
            return _take_reply(message_id, value), buffers
        _file_away(value, buffers)


def read_reply_from_input(message_id: str, timeout_sec: float | None = None) -> Any:
    """The ``data`` of the reply to ``message_id``; None if none came within timeout_sec."""
    got = read_reply_with_buffers(message_id, timeout_sec)
    return None if got is None else got[0]


def blocking_request(
    request_type: str,
    request: Any = "",
    timeout_sec: float | None = 5,
    parent: dict[str, Any] | None = None,
) -> Any:
    """Send a request and wait for the browser's reply (None on timeout), as Colab does."""
    request_id = send_request(request_type, request, parent=parent)
    return read_reply_from_input(request_id, timeout_sec)


def read_stdin_line(timeout_ms: int = 0) -> str | None:
    """Plain text the browser sent as an input_reply (stdin of a running shell command)."""
    if _stdin_lines:
        return _stdin_lines.popleft()
    received = _receive(timeout_ms)
    if received is not None:
        _file_away(*received)
    return _stdin_lines.popleft() if _stdin_lines else None
