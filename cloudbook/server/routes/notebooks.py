"""Notebook files, their revisions; thin: the logic is in NotebookService."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import CurrentUser, ServicesDep
from cloudbook.server.live_io import flush_live, write_through_live

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.drive_index import FolderInfo
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookInfo, RevisionInfo

router = APIRouter(prefix="/api/notebooks", tags=["notebooks"])
_PREFETCHES: set[asyncio.Task[None]] = set()


async def settle_prefetches() -> None:
    """Shutdown: let documents still loading for a page finish (then close_all saves and
    closes them) rather than load on a store that is going away."""
    while _PREFETCHES:
        await asyncio.wait(set(_PREFETCHES))


class NotebookOut(BaseModel):
    id: str
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None = None


class NotebookWithContent(NotebookOut):
    content: dict[str, Any]
    # The caller's role ("owner", "editor", "commenter", "viewer") and the owner's name:
    # the page opens read-only below "editor".
    role: str = "owner"
    owner: str = ""
    # Pages edit it through /api/notebooks/{id}/live (the service saves), not by PUT.
    live: bool = False


class FolderOut(BaseModel):
    path: str
    updated_at: datetime


class NotebookList(BaseModel):
    notebooks: list[NotebookOut]
    folders: list[FolderOut] = []


class CreateNotebook(BaseModel):
    name: str = Field(max_length=1024)
    content: dict[str, Any] | None = None
    # "rename": a taken name becomes "name (1).ipynb" (as uploads do); "error": 409 name_taken
    if_exists: Literal["error", "rename"] = "error"


class ImportNotebook(BaseModel):
    """Import an .ipynb: `upload` is its nbformat JSON with `name`, or `url` a GitHub,
    Colab or /github/... link (handled by the GitHub part)."""

    model_config = ConfigDict(extra="allow")
    url: str | None = Field(default=None, max_length=4096)
    upload: dict[str, Any] | None = None
    name: str | None = Field(default=None, max_length=1024)
    if_exists: Literal["error", "rename"] = "rename"


class DuplicateNotebook(BaseModel):
    name: str | None = Field(default=None, max_length=1024)


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
    pinned: bool = False


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


def _folder(info: FolderInfo) -> FolderOut:
    return FolderOut(path=info.path, updated_at=info.updated_at)


# Import sources other than `upload` (e.g. `url`, added by the GitHub part) register here:
# each takes (body, user, services, this service's host) and returns the created notebook,
# or None to pass.
ImportHandler = Callable[
    [ImportNotebook, "UserInfo", "Services", str | None], Awaitable["NotebookInfo | None"]
]
IMPORT_HANDLERS: list[ImportHandler] = []


@router.post("", status_code=201, response_model=NotebookOut)
async def create_notebook(body: CreateNotebook, user: CurrentUser, s: ServicesDep) -> NotebookOut:
    info = await s.notebooks.create(user, body.name, body.content, if_exists=body.if_exists)
    return _out(info)


@router.post("/import", status_code=201, response_model=NotebookOut)
async def import_notebook(
    body: ImportNotebook, request: Request, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    from cloudbook.services.errors import InvalidInput

    for handler in IMPORT_HANDLERS:
        info = await handler(body, user, s, request.url.netloc)
        if info is not None:
            return _out(info)
    if body.upload is None or not body.name:
        raise InvalidInput("Give `upload` (the notebook's JSON) and `name`.", code="invalid_import")
    info = await s.notebooks.create(user, body.name, body.upload, if_exists=body.if_exists)
    return _out(info)


@router.get("", response_model=NotebookList)
async def list_notebooks(
    user: CurrentUser,
    s: ServicesDep,
    folder: str | None = Query(default=None, max_length=1024),
    q: str | None = Query(default=None, max_length=256),
) -> NotebookList:
    """Without `folder`: every notebook and folder; with it: what is directly inside
    (`folder=` is the top); `q` searches names in every folder below."""
    from cloudbook.services.folders import folder_path

    clean = folder_path(folder) if folder else folder
    listing = await s.notebooks.list_for(user, clean, q)
    return NotebookList(
        notebooks=[_out(i) for i in listing.notebooks],
        folders=[_folder(f) for f in listing.folders],
    )


@router.get("/{notebook_id}", response_model=NotebookWithContent)
async def get_notebook(notebook_id: str, user: CurrentUser, s: ServicesDep) -> NotebookWithContent:
    """While the notebook is open live, the file is first brought up to date with it."""
    await flush_live(s, user, notebook_id)
    info, content = await s.notebooks.get(user, notebook_id, need="viewer")
    shares = await s.shares.list(user, notebook_id)
    live = s.live is not None and shares.role in ("owner", "editor")
    if live and s.live is not None:
        # A page opening the notebook connects next: load its document meanwhile.
        task = asyncio.create_task(s.live.prefetch(notebook_id, user, (info, content)))
        _PREFETCHES.add(task)
        task.add_done_callback(_PREFETCHES.discard)
    return NotebookWithContent(
        **info.__dict__, content=content, role=shares.role, owner=shares.owner, live=live
    )


@router.get("/{notebook_id}/file", response_class=Response)
async def download_notebook(
    notebook_id: str, user: CurrentUser, s: ServicesDep, comments: bool = False
) -> Response:
    """The .ipynb as stored in the drive, as an attachment; ``comments=true`` adds the
    comment threads under ``metadata.cloudbook.comments`` (never stored in the file)."""
    from urllib.parse import quote

    await flush_live(s, user, notebook_id)
    info, raw = await s.notebooks.read_file(user, notebook_id, need="viewer")
    if comments:
        from cloudbook.server.routes.comments import with_comments

        raw = await with_comments(s, user, notebook_id, raw)
    leaf = info.name.rsplit("/", 1)[-1]
    return Response(
        raw,
        media_type="application/x-ipynb+json",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(leaf)}"},
    )


@router.post("/{notebook_id}/duplicate", status_code=201, response_model=NotebookOut)
async def duplicate_notebook(
    notebook_id: str, body: DuplicateNotebook, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    """A copy of the notebook as its open pages show it (pending live edits saved first)."""
    await flush_live(s, user, notebook_id)
    return _out(await s.notebooks.duplicate(user, notebook_id, body.name))


@router.put("/{notebook_id}", response_model=NotebookOut)
async def save_notebook(
    notebook_id: str, body: SaveNotebook, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    """A conditional save (409 `stale_revision` unless `base_revision` is current). While
    the notebook is open live, its unsaved edits count: they are saved first, and the
    document then takes this content."""
    return _out(
        await write_through_live(
            s,
            user,
            notebook_id,
            lambda: s.notebooks.save(user, notebook_id, body.content, body.base_revision),
        )
    )


@router.patch("/{notebook_id}", response_model=NotebookOut)
async def rename_notebook(
    notebook_id: str, body: RenameNotebook, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    renamed = await s.notebooks.rename(user, notebook_id, body.name)
    await s.access.changed(user.id)  # moved out of a shared folder: its people lose it
    return _out(renamed)


@router.delete("/{notebook_id}", status_code=204)
async def delete_notebook(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    """Move to the Trash (GET /api/trash lists it; restore brings it back, same id)."""
    await s.notebooks.get_info(user, notebook_id, "owner")  # 404/403 before any runtime
    # A deleted notebook takes its runtime along, as closing a Colab tab eventually does.
    if s.runtimes.for_notebook(user, notebook_id) is not None:
        await s.runtimes.detach_notebook(user, notebook_id)
    await s.notebooks.delete(user, notebook_id)
    await s.access.changed(user.id)  # in the Trash: others' pages and sockets close
    if s.live is not None:
        await s.live.forget(notebook_id)
    return Response(status_code=204)


@router.get("/{notebook_id}/revisions", response_model=RevisionList)
async def list_revisions(notebook_id: str, user: CurrentUser, s: ServicesDep) -> RevisionList:
    """Newest first; an open live document's pending edits are saved first, so the newest
    is what pages show (the page compares with it, and restores on top of it)."""
    await flush_live(s, user, notebook_id, need="editor")
    found = await s.notebooks.revisions(user, notebook_id, need="editor")
    return RevisionList(revisions=[_rev(r) for r in found])


@router.get("/{notebook_id}/revisions/{revision}", response_model=RevisionWithContent)
async def get_revision(
    notebook_id: str, revision: int, user: CurrentUser, s: ServicesDep
) -> RevisionWithContent:
    info, content = await s.notebooks.revision(user, notebook_id, revision, need="editor")
    return RevisionWithContent(**info.__dict__, content=content)


@router.post("/{notebook_id}/revisions/{revision}/restore", response_model=NotebookOut)
async def restore_revision(
    notebook_id: str, revision: int, body: RestoreRevision, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    """The current content stays in the history (restoring adds a revision, never folds
    into the newest); an open live document takes the restored content."""
    return _out(
        await write_through_live(
            s,
            user,
            notebook_id,
            lambda: s.notebooks.restore(user, notebook_id, revision, body.base_revision),
        )
    )


@router.post("/{notebook_id}/revisions/pin", response_model=NotebookOut)
async def pin_revision(notebook_id: str, user: CurrentUser, s: ServicesDep) -> NotebookOut:
    """Save now and pin the newest revision ("Save and pin revision", Ctrl+S): later
    autosaves start a new revision instead of folding into it."""
    await s.notebooks.get_info(user, notebook_id, need="editor")
    doc = s.live.get_open(notebook_id) if s.live is not None else None
    if doc is not None:
        saved = await doc.save(pin=True)
        if saved is not None:
            return _out(saved)
    return _out(await s.notebooks.pin_newest(user, notebook_id))
