"""Questions a running cell asks a person: ``input()``/``getpass()`` and Colab requests.

The service's kernel connection receives them (an ``input_request`` goes to the stdin
channel of whoever sent the ``execute_request``: the executor; a ``colab_request`` is on
iopub). Each becomes an entry of the document's ``executor`` map under
``requests/<request id>``, so every page sees that the cell waits and for what; the tab
that ran the cell answers (or, once it is gone, any tab of the same user) through
``POST /api/notebooks/{id}/input``. Only the user who ran the cell may answer: a GetSecret
is then answered with that user's permission, and a collaborator cannot feed someone
else's ``input()``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from cloudbook.runtimes.kernel_client import Message, new_message

# Colab requests the kernel does not wait on (docs/colab-protocol.md §1).
NO_REPLY = frozenset({"cell_display_stdin", "cell_update_stdin", "cell_remove_stdin"})

RequestKind = Literal["input", "colab"]
MAX_REQUEST = 256 * 1024  # bytes of a Colab request's body shown to pages


@dataclass
class PendingRequest:
    id: str
    kind: RequestKind
    cell_id: str
    user_id: int
    client_id: int | None
    message: Message  # the input_request or colab_request as received
    prompt: str = ""
    password: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        """What pages see (never an answer)."""
        entry: dict[str, Any] = {
            "kind": self.kind,
            "cell_id": self.cell_id,
            "user_id": self.user_id,
            "client_id": self.client_id,
        }
        if self.kind == "input":
            entry["prompt"] = self.prompt
            entry["password"] = self.password
        else:
            entry.update(self.extra)
        return entry

    def reply(self, value: Any, session: str) -> Message:
        """The stdin ``input_reply`` carrying an answer (text, or a colab reply body)."""
        if self.kind == "colab":
            body: dict[str, Any] = {"type": "colab_reply", "colab_msg_id": self.extra["msg_id"]}
            if isinstance(value, dict) and "error" in value:
                body["error"] = str(value["error"])
            else:
                body["data"] = value.get("data") if isinstance(value, dict) else value
            value = body
        reply = new_message("input_reply", {"value": value}, session, "stdin")
        reply["parent_header"] = self.message["header"]
        return reply


def input_request(
    msg: Message, cell_id: str, user_id: int, client_id: int | None
) -> PendingRequest:
    content = msg.get("content", {})
    return PendingRequest(
        id=uuid.uuid4().hex,
        kind="input",
        cell_id=cell_id,
        user_id=user_id,
        client_id=client_id,
        message=msg,
        prompt=str(content.get("prompt", "")),
        password=bool(content.get("password")),
    )


def colab_request(
    msg: Message, cell_id: str, user_id: int, client_id: int | None
) -> PendingRequest | None:
    """The request when the kernel waits for an answer, else None."""
    metadata = msg.get("metadata") or {}
    kind = str(metadata.get("colab_request_type", ""))
    if kind in NO_REPLY:
        return None
    # Pages see the request in the shared document: a kernel cannot flood it through one.
    if len(json.dumps((msg.get("content") or {}).get("request", {}), default=str)) > MAX_REQUEST:
        msg = {**msg, "content": {"request": {}}}
        kind = "oversized"
    return PendingRequest(
        id=uuid.uuid4().hex,
        kind="colab",
        cell_id=cell_id,
        user_id=user_id,
        client_id=client_id,
        message=msg,
        extra={
            "type": kind,
            "msg_id": str(metadata.get("colab_msg_id", "")),
            "request": (msg.get("content") or {}).get("request", {}),
        },
    )
