"""Browsing a folder someone shared: its sub-folders and notebooks, one level at a time,
each with the caller's role (a folder share reaches everything below it; a notebook's own
share may give more). Anyone without a role on the folder gets 404, as for a folder that
does not exist."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from sqlalchemy import select

from cloudbook.services.access import FolderRef, Role
from cloudbook.services.clock import as_utc
from cloudbook.services.drive_index import FolderInfo
from cloudbook.services.errors import InvalidInput, NotFound
from cloudbook.services.folders import folder_path
from cloudbook.services.identity import UserInfo
from cloudbook.services.notebooks import NotebookService
from cloudbook.services.shares import SharedNotebook
from cloudbook.store.models import Notebook, User


@dataclass(frozen=True)
class SharedFolderListing:
    owner: str
    path: str
    role: Role
    folders: list[FolderInfo]  # direct sub-folders (paths in the owner's drive)
    notebooks: list[SharedNotebook]  # direct notebooks, with the caller's role on each


def _no_such_folder() -> NotFound:
    return NotFound("No such folder, or it is not shared with you.", code="no_such_folder")


async def browse(
    notebooks: NotebookService, user: UserInfo, owner_name: str, path: str
) -> SharedFolderListing:
    try:
        clean = folder_path(path)
    except InvalidInput:
        raise _no_such_folder() from None
    async with notebooks.db.session() as s:
        owner = (await s.execute(select(User).where(User.name == owner_name))).scalar_one_or_none()
    if owner is None:
        raise _no_such_folder()
    access = notebooks.access
    role = await access.role_of(user, FolderRef(owner.id, clean))
    if role is None:
        raise _no_such_folder()
    snapshot = await notebooks.index.sync(owner.id)  # the drive is the truth: rescan it
    if not any(f.path == clean for f in snapshot.folders):
        raise _no_such_folder()
    folders = sorted(
        (f for f in snapshot.folders if posixpath.dirname(f.path) == clean),
        key=lambda f: f.path.casefold(),
    )
    found: list[SharedNotebook] = []
    async with notebooks.db.session() as s:
        rows = await s.execute(
            select(Notebook).where(
                Notebook.owner_id == owner.id,
                Notebook.trash_item_id.is_(None),
                Notebook.path.startswith(clean + "/", autoescape=True),
            )
        )
        for nb in rows.scalars():
            if posixpath.dirname(nb.path) != clean:
                continue
            nb_role = await access.role_in(s, user, nb)
            if nb_role is not None:
                found.append(
                    SharedNotebook(nb.id, nb.path, owner.name, nb_role, as_utc(nb.updated_at))
                )
    found.sort(key=lambda n: n.name.casefold())
    return SharedFolderListing(owner.name, clean, role, folders, found)
