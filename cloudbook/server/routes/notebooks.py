"""Notebook files, their revisions; thin: the logic is in NotebookService."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

if TYPE_CHECKING:
    from cloudbook.services.notebooks import NotebookInfo, RevisionInfo

router = APIRouter(prefix="/api/notebooks", tags=["notebooks"])


class NotebookOut(BaseModel):
    id: str
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime


class NotebookWithContent(NotebookOut):
    content: dict[str, Any]


class NotebookList(BaseModel):
    notebooks: list[NotebookOut]


class CreateNotebook(BaseModel):
    name: str = Field(max_length=1024)
    content: dict[str, Any] | None = None


class SaveNotebook(BaseModel):
    content: dict[str, Any]
    base_revision: int


class RenameNotebook(BaseModel):
    name: str = Field(max_length=1024)


class RevisionOut(BaseModel):
    revision: int
    created_at: datetime
    size: int
    author: str | None = None


class RevisionList(BaseModel):
    revisions: list[RevisionOut]


class RevisionWithContent(RevisionOut):
    content: dict[str, Any]


class RestoreRevision(BaseModel):
    base_revision: int


def _out(info: NotebookInfo) -> NotebookOut:
    return NotebookOut(**info.__dict__)


def _rev(info: RevisionInfo) -> RevisionOut:
    return RevisionOut(**info.__dict__)


@router.post("", status_code=201, response_model=NotebookOut)
async def create_notebook(body: CreateNotebook, user: CurrentUser, s: ServicesDep) -> NotebookOut:
    return _out(await s.notebooks.create(user, body.name, body.content))


@router.get("", response_model=NotebookList)
async def list_notebooks(user: CurrentUser, s: ServicesDep) -> NotebookList:
    return NotebookList(notebooks=[_out(i) for i in await s.notebooks.list_for(user)])


@router.get("/{notebook_id}", response_model=NotebookWithContent)
async def get_notebook(notebook_id: str, user: CurrentUser, s: ServicesDep) -> NotebookWithContent:
    info, content = await s.notebooks.get(user, notebook_id)
    return NotebookWithContent(**info.__dict__, content=content)


@router.put("/{notebook_id}", response_model=NotebookOut)
async def save_notebook(
    notebook_id: str, body: SaveNotebook, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    return _out(await s.notebooks.save(user, notebook_id, body.content, body.base_revision))


@router.patch("/{notebook_id}", response_model=NotebookOut)
async def rename_notebook(
    notebook_id: str, body: RenameNotebook, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    return _out(await s.notebooks.rename(user, notebook_id, body.name))


@router.delete("/{notebook_id}", status_code=204)
async def delete_notebook(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    # A deleted notebook takes its runtime along, as closing a Colab tab eventually does.
    if s.runtimes.for_notebook(user, notebook_id) is not None:
        await s.runtimes.detach_notebook(user, notebook_id)
    await s.notebooks.delete(user, notebook_id)
    return Response(status_code=204)


@router.get("/{notebook_id}/revisions", response_model=RevisionList)
async def list_revisions(notebook_id: str, user: CurrentUser, s: ServicesDep) -> RevisionList:
    return RevisionList(revisions=[_rev(r) for r in await s.notebooks.revisions(user, notebook_id)])


@router.get("/{notebook_id}/revisions/{revision}", response_model=RevisionWithContent)
async def get_revision(
    notebook_id: str, revision: int, user: CurrentUser, s: ServicesDep
) -> RevisionWithContent:
    info, content = await s.notebooks.revision(user, notebook_id, revision)
    return RevisionWithContent(**info.__dict__, content=content)


@router.post("/{notebook_id}/revisions/{revision}/restore", response_model=NotebookOut)
async def restore_revision(
    notebook_id: str, revision: int, body: RestoreRevision, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    return _out(await s.notebooks.restore(user, notebook_id, revision, body.base_revision))
