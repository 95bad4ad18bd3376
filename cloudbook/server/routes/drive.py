"""Folders and the Trash of the caller's drive; thin: the logic is in FolderService/TrashService."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

router = APIRouter(tags=["drive"])


class CreateFolder(BaseModel):
    path: str = Field(max_length=1024)


class MoveFolder(BaseModel):
    path: str = Field(max_length=1024)
    new_path: str = Field(max_length=1024)


class FolderPath(BaseModel):
    path: str


class FolderList(BaseModel):
    folders: list[str]


class TrashItemOut(BaseModel):
    id: str
    kind: str  # "notebook" | "folder"
    name: str  # where it was in the drive
    trashed_at: datetime
    notebook_id: str | None = None
    notebooks: int


class TrashList(BaseModel):
    items: list[TrashItemOut]


class Restored(BaseModel):
    name: str  # where it is now (its old place, or "name (1)" when that was taken)


class Emptied(BaseModel):
    deleted: int


@router.post("/api/folders", status_code=201, response_model=FolderPath)
async def create_folder(body: CreateFolder, user: CurrentUser, s: ServicesDep) -> FolderPath:
    return FolderPath(path=await s.notebooks.folders.create(user, body.path))


@router.get("/api/folders", response_model=FolderList)
async def list_folders(user: CurrentUser, s: ServicesDep) -> FolderList:
    return FolderList(folders=[f.path for f in await s.notebooks.folders.list_all(user)])


@router.patch("/api/folders", response_model=FolderPath)
async def move_folder(body: MoveFolder, user: CurrentUser, s: ServicesDep) -> FolderPath:
    """Rename or move a folder; the notebooks inside keep their ids."""
    moved = await s.notebooks.folders.move(user, body.path, body.new_path)
    await s.access.changed(user.id)  # a notebook that left a shared folder left its people
    return FolderPath(path=moved)


@router.delete("/api/folders", status_code=204)
async def delete_folder(
    user: CurrentUser, s: ServicesDep, path: str = Query(max_length=1024)
) -> Response:
    """Move a folder, with everything in it, to the Trash."""
    await s.notebooks.folders.delete(user, path)
    await s.access.changed(user.id)  # in the Trash: nobody else's any more
    return Response(status_code=204)


@router.get("/api/trash", response_model=TrashList)
async def list_trash(user: CurrentUser, s: ServicesDep) -> TrashList:
    items = await s.notebooks.trash.list(user)
    return TrashList(items=[TrashItemOut(**i.__dict__) for i in items])


@router.post("/api/trash/{item_id}/restore", response_model=Restored)
async def restore_trash_item(item_id: str, user: CurrentUser, s: ServicesDep) -> Restored:
    return Restored(name=await s.notebooks.trash.restore(user, item_id))


@router.delete("/api/trash/{item_id}", status_code=204)
async def delete_trash_item(item_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    """Delete forever."""
    await s.notebooks.trash.delete_forever(user, item_id)
    return Response(status_code=204)


@router.delete("/api/trash", response_model=Emptied)
async def empty_trash(user: CurrentUser, s: ServicesDep) -> Emptied:
    return Emptied(deleted=await s.notebooks.trash.empty(user))
