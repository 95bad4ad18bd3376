"""Run requests on a page's live-document socket (docs/live-execution.md).

Run from a page is a message on the y-websocket connection the page already has open,
not a REST request: no HTTP request to parse, no authentication or access check per run
(the socket was opened by an editor and is closed the moment that access goes), and,
arriving on the same connection as the page's edits, it comes after every edit the page
made before pressing Run (so the run never waits for its source to arrive).

    page → service  RUN        b"\\x65" + JSON {"id": n, <the body of POST /execute>}
    service → page  RUN_REPLY  b"\\x66" + JSON {"id": n, "queued": [...]}
                                       or {"id": n, "error": {"status", "code", "message"}}

Runs of one socket are queued in the order they arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from cloudbook.live.run_request import ExecuteIn, queue_run
from cloudbook.services.errors import ServiceError

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo

log = logging.getLogger("cloudbook.live")

RUN = 0x65  # cloudbook's own message types on the live socket (y-websocket uses 0-3,
RUN_REPLY = 0x66  # cloudbook.live.documents SAVE_AND_PIN is 100)
MAX_RUN_MESSAGE = 4 * 1024 * 1024


class SocketRuns:
    def __init__(
        self,
        services: Services,
        user: UserInfo,
        notebook_id: str,
        send: Callable[[bytes], Awaitable[None]],
    ) -> None:
        self.services = services
        self.user = user
        self.notebook_id = notebook_id
        self._send = send
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def take(self, message: bytes) -> bool:
        """True when ``message`` is a RUN (queued here, kept from the Yjs room)."""
        if not message or message[0] != RUN:
            return False
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._work())
        self._queue.put_nowait(message)
        return True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    async def _work(self) -> None:
        while True:
            message = await self._queue.get()
            reply = await self._handle(message)
            await self._send(bytes([RUN_REPLY]) + json.dumps(reply).encode())

    async def _handle(self, message: bytes) -> dict[str, Any]:
        request_id: Any = None
        try:
            if len(message) > MAX_RUN_MESSAGE:
                raise ValueError("too long")
            data = json.loads(message[1:])
            if not isinstance(data, dict):
                raise ValueError("not an object")
            request_id = data.pop("id", None)
            if not isinstance(request_id, int):
                request_id = None
                raise ValueError("no id")
            body = ExecuteIn.model_validate(data)
        except (ValueError, ValidationError):
            return _error(request_id, 400, "invalid_input", "A run request is not valid.")
        try:
            queued = await queue_run(self.services, self.user, self.notebook_id, body)
        except ServiceError as exc:
            return _error(request_id, exc.status, exc.code, exc.message)
        except Exception:
            log.exception("a run from the live socket of %s failed", self.notebook_id)
            return _error(request_id, 500, "internal", "The run could not be started.")
        return {"id": request_id, "queued": queued}


def _error(request_id: Any, status: int, code: str, message: str) -> dict[str, Any]:
    return {"id": request_id, "error": {"status": status, "code": code, "message": message}}
