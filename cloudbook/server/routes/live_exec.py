"""Cells run by the service (docs/live-execution.md); thin: the logic is in cloudbook.live."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.live.run_access import check_may_run
from cloudbook.live.run_request import ExecuteIn, queue_run
from cloudbook.server.deps import CurrentUser, ServicesDep
from cloudbook.services.errors import NotFound, Unavailable

router = APIRouter(prefix="/api/notebooks", tags=["live"])

CellId = Field(min_length=1, max_length=256)


class ExecuteOut(BaseModel):
    queued: list[str]


class PendingOut(BaseModel):
    kind: str
    cell_id: str
    user_id: int
    client_id: int | None
    prompt: str | None = None
    password: bool | None = None
    type: str | None = None
    request: Any = None


class ExecutionOut(BaseModel):
    running: str | None
    queued: list[str]
    requests: dict[str, PendingOut]


class InputIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(min_length=1, max_length=64)
    # input(): the text typed. A Colab request: {"data": <JSON>} or {"error": "<message>"}.
    value: Any


def _executors(s: ServicesDep) -> Any:
    if s.executors is None:
        raise Unavailable("Cells are not run by the service here.", code="live_off")
    return s.executors


@router.post("/{notebook_id}/execute", status_code=202, response_model=ExecuteOut)
async def execute(
    notebook_id: str, body: ExecuteIn, user: CurrentUser, s: ServicesDep
) -> ExecuteOut:
    await check_may_run(s, user, notebook_id)
    queued = await queue_run(s, user, notebook_id, body)
    return ExecuteOut(queued=queued)


@router.get("/{notebook_id}/execution", response_model=ExecutionOut)
async def execution(notebook_id: str, user: CurrentUser, s: ServicesDep) -> ExecutionOut:
    await check_may_run(s, user, notebook_id)
    executor = _executors(s).get(notebook_id)
    if executor is None:
        return ExecutionOut(running=None, queued=[], requests={})
    return ExecutionOut(**executor.state())


@router.post("/{notebook_id}/input", status_code=204)
async def answer(notebook_id: str, body: InputIn, user: CurrentUser, s: ServicesDep) -> Response:
    await check_may_run(s, user, notebook_id)
    request = _executors(s).pending(notebook_id, body.request_id, user)
    if request.kind == "input" and not isinstance(body.value, str):
        from cloudbook.services.errors import InvalidInput

        raise InvalidInput("An input() answer is text.", code="invalid_answer")
    await _executors(s).answer(notebook_id, body.request_id, user, body.value)
    return Response(status_code=204)


@router.get("/{notebook_id}/outputs/{cell_id}/{stream}", response_class=FileResponse)
async def full_output(
    notebook_id: str, cell_id: str, stream: str, user: CurrentUser, s: ServicesDep
) -> FileResponse:
    """The whole text of a stream the document shows cut."""
    from cloudbook.live.spill import full_output_path

    await check_may_run(s, user, notebook_id)
    executors = _executors(s)
    path = full_output_path(executors.spill_root, notebook_id, cell_id, stream)
    if path is None:
        raise NotFound("No full output for this cell.", code="no_full_output")
    return FileResponse(
        path,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{stream}.txt"'},
    )
