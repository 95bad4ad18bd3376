"""What a listing shows: notebook rows and folders of one owner, filtered and searched."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from cloudbook.services.clock import as_utc
from cloudbook.services.drive_index import FolderInfo, Snapshot
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook

IfExists = Literal["error", "rename"]


@dataclass(frozen=True)
class NotebookInfo:
    id: str
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None = None


@dataclass(frozen=True)
class Listing:
    notebooks: list[NotebookInfo]
    folders: list[FolderInfo]


def info_of(nb: Notebook) -> NotebookInfo:
    return NotebookInfo(
        id=nb.id,
        name=nb.path,
        revision=nb.revision,
        created_at=as_utc(nb.created_at),
        updated_at=as_utc(nb.updated_at),
        opened_at=as_utc(nb.opened_at) if nb.opened_at else None,
    )


async def list_notebooks(
    db: Database, owner_id: int, snapshot: Snapshot, folder: str | None, query: str | None
) -> Listing:
    prefix = "" if not folder else folder.strip("/") + "/"
    needle = (query or "").strip().casefold()
    columns = (
        Notebook.id,
        Notebook.path,
        Notebook.revision,
        Notebook.created_at,
        Notebook.updated_at,
        Notebook.opened_at,
    )
    async with db.session() as s:
        stmt = select(*columns).where(
            Notebook.owner_id == owner_id, Notebook.trash_item_id.is_(None)
        )
        if prefix:
            stmt = stmt.where(Notebook.path.startswith(prefix, autoescape=True))
        rows = (await s.execute(stmt.order_by(Notebook.updated_at.desc()))).all()
    infos = [
        NotebookInfo(i, p, r, as_utc(c), as_utc(u), as_utc(o) if o else None)
        for i, p, r, c, u, o in rows
    ]
    folders = [f for f in snapshot.folders if f.path.startswith(prefix)]
    if needle:
        infos = [i for i in infos if needle in posixpath.basename(i.name).casefold()]
        folders = [f for f in folders if needle in posixpath.basename(f.path).casefold()]
    elif folder is not None:
        infos = [i for i in infos if "/" not in i.name[len(prefix) :]]
        folders = [f for f in folders if "/" not in f.path[len(prefix) :]]
    return Listing(notebooks=infos, folders=folders)
