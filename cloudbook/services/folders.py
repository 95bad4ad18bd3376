"""Folders of a drive: real directories; moving one moves the ids of the notebooks inside."""

from __future__ import annotations

import asyncio

from sqlalchemy import or_, select

from cloudbook.drive import ops
from cloudbook.drive.paths import validate_relative_path
from cloudbook.services.drive_index import DriveIndex, FolderInfo
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.trash import TrashService
from cloudbook.store.models import Notebook, Share, TrashItem


def folder_path(path: str) -> str:
    """A clean folder path; a folder may not look like a notebook."""
    clean = validate_relative_path(path.rstrip("/") or path)
    if clean.endswith(".ipynb"):
        raise InvalidInput(
            "Invalid name: a folder name may not end with .ipynb.", code="invalid_name"
        )
    if any(part.startswith(".") for part in clean.split("/")):
        raise InvalidInput(
            "Invalid name: folder names may not start with '.'.", code="invalid_name"
        )
    return clean


class FolderService:
    def __init__(self, index: DriveIndex, trash: TrashService) -> None:
        self.index = index
        self.trash = trash
        self.db = index.db

    async def create(self, user: UserInfo, path: str) -> str:
        clean = folder_path(path)
        root = self.index.root(user.id)
        async with self.index.lock(user.id):
            try:
                await asyncio.to_thread(ops.make_dir, root, clean)
            except FileExistsError:
                raise Conflict(f"{clean!r} already exists.", code="name_taken") from None
            except (ops.UnsafePath, NotADirectoryError):
                raise InvalidInput(
                    "Invalid name: a part of the path is not a folder.", code="invalid_name"
                ) from None
        return clean

    async def _existing(self, user: UserInfo, path: str) -> str:
        clean = folder_path(path)
        if not await asyncio.to_thread(ops.is_dir, self.index.root(user.id), clean):
            raise NotFound("No such folder.", code="no_such_folder")
        return clean

    async def move(self, user: UserInfo, path: str, new_path: str) -> str:
        """Rename or move a folder (with everything in it); ids of its notebooks stay."""
        root = self.index.root(user.id)
        async with self.index.lock(user.id):
            await self.index.sync_locked(user.id)
            old = await self._existing(user, path)
            new = folder_path(new_path)
            if new == old:
                return new
            if new.startswith(old + "/"):
                raise InvalidInput("A folder cannot be moved into itself.", code="invalid_move")
            async with self.db.session() as s:
                rows = list(
                    (
                        await s.execute(
                            select(Notebook).where(
                                Notebook.owner_id == user.id,
                                Notebook.trash_item_id.is_(None),
                                Notebook.path.startswith(old + "/", autoescape=True),
                            )
                        )
                    ).scalars()
                )
                try:
                    await asyncio.to_thread(ops.move, root, old, root, new)
                except FileExistsError:
                    raise Conflict(f"{new!r} already exists.", code="name_taken") from None
                except (ops.UnsafePath, NotADirectoryError):
                    raise InvalidInput(
                        "Invalid name: a part of the path is not a folder.", code="invalid_name"
                    ) from None
                for nb in rows:
                    nb.path = new + nb.path[len(old) :]
                # A shared folder stays shared under its new name (so do folders inside it).
                shares = (
                    await s.execute(
                        select(Share).where(
                            Share.owner_id == user.id,
                            Share.kind == "folder",
                            or_(
                                Share.target == old,
                                Share.target.startswith(old + "/", autoescape=True),
                            ),
                        )
                    )
                ).scalars()
                for share in shares:
                    share.target = new + share.target[len(old) :]
                try:
                    await s.commit()
                except BaseException:
                    await asyncio.to_thread(ops.move, root, new, root, old)
                    raise
            return new

    async def delete(self, user: UserInfo, path: str) -> TrashItem:
        async with self.index.lock(user.id):
            await self.index.sync_locked(user.id)
            clean = await self._existing(user, path)
            async with self.db.session() as s:
                item = await self.trash.trash_folder_locked(s, user.id, clean)
                await s.commit()
            return item

    async def list_all(self, user: UserInfo) -> list[FolderInfo]:
        return (await self.index.sync(user.id)).folders
