"""A request to run cells, from either door: `POST /api/notebooks/{id}/execute` (API
clients) or a RUN message on the page's live-document socket (cloudbook.live.socket_runs).

Both queue the cells on the notebook's executor in the caller's own runtime; the socket
skips the per-request access check because the socket itself is only open to editors
and is cut off the moment that access is lost (cloudbook.server.routes.live).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from cloudbook.services.errors import Conflict, NotFound, Unavailable

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo


class ExecuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cell_ids: list[str] = Field(min_length=1, max_length=5000)
    # The page's Yjs client id: Colab requests of these cells go to that tab first.
    client_id: int | None = Field(default=None, ge=0, le=2**53)
    # Minutes from UTC, as Date.getTimezoneOffset() (recorded in executionInfo.user_tz).
    user_tz: int = Field(default=0, ge=-24 * 60, le=24 * 60)
    # What the page shows in those cells: the run waits briefly for the page's last edits
    # (sent on its live-document socket) to reach the document.
    sources: dict[str, str] | None = Field(default=None, max_length=5000)


async def queue_run(s: Services, user: UserInfo, notebook_id: str, body: ExecuteIn) -> list[str]:
    """Queue ``body``'s cells (the caller checked that ``user`` may run them)."""
    from cloudbook.live.executor import Requester
    from cloudbook.runtimes.manager import Queued
    from cloudbook.services.runtime_types import attach_by_type

    if any(not 0 < len(c) <= 256 for c in body.cell_ids):
        raise NotFound("No such cell.", code="no_such_cell")
    if s.executors is None:
        raise Unavailable("Cells are not run by the service here.", code="live_off")
    managed = await attach_by_type(s.notebooks, s.runtimes, user, notebook_id, "fail")
    if isinstance(managed, Queued):
        raise Conflict("The notebook waits for a GPU.", code="waiting_for_gpu")
    requester = Requester(user.id, user.name, body.client_id, body.user_tz)
    queued: list[str] = await s.executors.run(
        managed, user, notebook_id, body.cell_ids, requester, body.sources
    )
    return queued
