"""Sharing: people and general access on notebooks and folders, ownership, "Shared with
me", playground copies and the page's watch socket; the rules are in services/access."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Query, Response, WebSocket
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import CurrentUser, ServicesDep, authenticate, services_of
from cloudbook.server.live_io import flush_live
from cloudbook.server.routes.notebooks import NotebookOut
from cloudbook.server.ws_guard import CLOSE_ACCESS_REMOVED
from cloudbook.services.access import FolderRef
from cloudbook.services.errors import ServiceError

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.shares import ShareList

router = APIRouter(tags=["sharing"])

ShareRoleIn = Literal["viewer", "commenter", "editor"]


class PersonOut(BaseModel):
    user: str
    role: str
    via: str  # "notebook" / "folder": given on this item; else the folder it comes from


class SharesOut(BaseModel):
    owner: str
    role: str  # the caller's
    general: ShareRoleIn | None
    people: list[PersonOut]


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64)
    role: ShareRoleIn


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: ShareRoleIn


class GeneralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: ShareRoleIn | None


class OwnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=64)


class SharedNotebookOut(BaseModel):
    id: str
    name: str
    owner: str
    role: str
    updated_at: datetime


class SharedFolderOut(BaseModel):
    owner: str
    path: str
    role: str


class SharedWithMeOut(BaseModel):
    notebooks: list[SharedNotebookOut]
    folders: list[SharedFolderOut]


def _out(shares: ShareList) -> SharesOut:
    return SharesOut(
        owner=shares.owner,
        role=shares.role,
        general=shares.general,
        people=[PersonOut(user=p.name, role=p.role, via=p.via) for p in shares.people],
    )


# --- notebooks ------------------------------------------------------------------


@router.get("/api/notebooks/{notebook_id}/shares", response_model=SharesOut)
async def list_shares(notebook_id: str, user: CurrentUser, s: ServicesDep) -> SharesOut:
    return _out(await s.shares.list(user, notebook_id))


@router.post("/api/notebooks/{notebook_id}/shares", response_model=SharesOut)
async def add_share(
    notebook_id: str, body: ShareIn, user: CurrentUser, s: ServicesDep
) -> SharesOut:
    await s.shares.share(user, notebook_id, body.user, body.role)
    return _out(await s.shares.list(user, notebook_id))


@router.patch("/api/notebooks/{notebook_id}/shares/{name}", response_model=SharesOut)
async def change_share(
    notebook_id: str, name: str, body: RoleIn, user: CurrentUser, s: ServicesDep
) -> SharesOut:
    await s.shares.share(user, notebook_id, name, body.role)
    return _out(await s.shares.list(user, notebook_id))


@router.delete("/api/notebooks/{notebook_id}/shares/{name}", status_code=204)
async def remove_share(notebook_id: str, name: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.shares.unshare(user, notebook_id, name)
    return Response(status_code=204)


@router.put("/api/notebooks/{notebook_id}/general-access", response_model=SharesOut)
async def set_general_access(
    notebook_id: str, body: GeneralIn, user: CurrentUser, s: ServicesDep
) -> SharesOut:
    await s.shares.set_general(user, notebook_id, body.role)
    return _out(await s.shares.list(user, notebook_id))


@router.post("/api/notebooks/{notebook_id}/owner", response_model=NotebookOut)
async def transfer_owner(
    notebook_id: str, body: OwnerIn, user: CurrentUser, s: ServicesDep
) -> NotebookOut:
    from cloudbook.services.ownership import transfer_ownership

    info = await transfer_ownership(s.notebooks, user, notebook_id, body.user, s.audit)
    return NotebookOut(**info.__dict__)


@router.post("/api/notebooks/{notebook_id}/playground", status_code=201, response_model=NotebookOut)
async def open_playground(notebook_id: str, user: CurrentUser, s: ServicesDep) -> NotebookOut:
    """The caller's own copy (Playground folder of their drive): their runtime, their secrets."""
    await flush_live(s, user, notebook_id)  # a copy of what the owner's pages show
    return NotebookOut(**(await s.notebooks.playground(user, notebook_id)).__dict__)


@router.get("/api/shared-with-me", response_model=SharedWithMeOut)
async def shared_with_me(user: CurrentUser, s: ServicesDep) -> SharedWithMeOut:
    found = await s.shares.shared_with_me(user)
    return SharedWithMeOut(
        notebooks=[SharedNotebookOut(**n.__dict__) for n in found.notebooks],
        folders=[SharedFolderOut(**f.__dict__) for f in found.folders],
    )


class SharedSubFolderOut(BaseModel):
    path: str
    updated_at: datetime


class SharedFolderListingOut(BaseModel):
    folder: SharedFolderOut
    folders: list[SharedSubFolderOut]
    notebooks: list[SharedNotebookOut]


@router.get("/api/shared-folder", response_model=SharedFolderListingOut)
async def browse_shared_folder(
    user: CurrentUser,
    s: ServicesDep,
    owner: str = Query(min_length=1, max_length=64),
    path: str = Query(min_length=1, max_length=1024),
) -> SharedFolderListingOut:
    """One level of a folder shared with the caller (or of one below it): sub-folders and
    notebooks with the caller's role on each. 404 ``no_such_folder`` without access."""
    from cloudbook.services.shared_folders import browse

    found = await browse(s.notebooks, user, owner, path)
    return SharedFolderListingOut(
        folder=SharedFolderOut(owner=found.owner, path=found.path, role=found.role),
        folders=[SharedSubFolderOut(path=f.path, updated_at=f.updated_at) for f in found.folders],
        notebooks=[SharedNotebookOut(**n.__dict__) for n in found.notebooks],
    )


# --- folders (the caller's own, by path) ---------------------------------------------


async def _folder(s: Services, user: UserInfo, path: str) -> FolderRef:
    return FolderRef(user.id, await s.notebooks.folders._existing(user, path))


FolderPathQuery = Query(min_length=1, max_length=1024)


@router.get("/api/folder-shares", response_model=SharesOut)
async def list_folder_shares(
    user: CurrentUser, s: ServicesDep, path: str = FolderPathQuery
) -> SharesOut:
    return _out(await s.shares.list(user, await _folder(s, user, path)))


@router.post("/api/folder-shares", response_model=SharesOut)
async def add_folder_share(
    body: ShareIn, user: CurrentUser, s: ServicesDep, path: str = FolderPathQuery
) -> SharesOut:
    folder = await _folder(s, user, path)
    await s.shares.share(user, folder, body.user, body.role)
    return _out(await s.shares.list(user, folder))


@router.patch("/api/folder-shares/{name}", response_model=SharesOut)
async def change_folder_share(
    name: str, body: RoleIn, user: CurrentUser, s: ServicesDep, path: str = FolderPathQuery
) -> SharesOut:
    folder = await _folder(s, user, path)
    await s.shares.share(user, folder, name, body.role)
    return _out(await s.shares.list(user, folder))


@router.delete("/api/folder-shares/{name}", status_code=204)
async def remove_folder_share(
    name: str, user: CurrentUser, s: ServicesDep, path: str = FolderPathQuery
) -> Response:
    await s.shares.unshare(user, await _folder(s, user, path), name)
    return Response(status_code=204)


@router.put("/api/folder-general-access", response_model=SharesOut)
async def set_folder_general_access(
    body: GeneralIn, user: CurrentUser, s: ServicesDep, path: str = FolderPathQuery
) -> SharesOut:
    folder = await _folder(s, user, path)
    await s.shares.set_general(user, folder, body.role)
    return _out(await s.shares.list(user, folder))


# --- the page's watch socket -----------------------------------------------------------


@router.websocket("/api/notebooks/{notebook_id}/watch")
async def watch_notebook(websocket: WebSocket, notebook_id: str) -> None:
    """Open while a page shows the notebook; closed with 4403 once the viewer loses access
    (the page then says so). It carries no data."""
    from cloudbook.server.ws_guard import deny as _deny
    from cloudbook.server.ws_guard import same_origin as _same_origin

    if not _same_origin(websocket):
        await _deny(websocket, 403, "foreign_origin", "Cross-origin WebSocket refused.")
        return
    lost = asyncio.Event()

    async def on_lost() -> None:
        lost.set()

    try:
        services = await services_of(websocket)
        user = await authenticate(websocket, unsafe=False)
        stop = await services.access.watch(user, notebook_id, "viewer", on_lost)
    except ServiceError as exc:
        await _deny(websocket, exc.status, exc.code, exc.message)
        return
    try:
        await websocket.accept()
        await close_when_lost(websocket, lost)
    finally:
        stop()


async def close_when_lost(websocket: WebSocket, lost: asyncio.Event) -> None:
    """Wait for the browser to leave or ``lost``; on ``lost`` close with 4403."""

    async def drain() -> None:
        try:
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
        except RuntimeError:
            return

    reader = asyncio.create_task(drain())
    waiter = asyncio.create_task(lost.wait())
    done, _ = await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if waiter in done:
        reader.cancel()
        try:
            await websocket.close(code=CLOSE_ACCESS_REMOVED, reason="access removed")
        except RuntimeError:
            pass
    else:
        waiter.cancel()
