"""The drive is the truth: the store's notebook rows follow the files in each user's folder.

Every visible ``.ipynb`` below a user's drive folder is one of their notebooks, whoever
wrote it (the page, the API, ``drive.mount`` in a runtime, a copied file). Each listing
rescans the folder (a stat walk, no file is read) and reconciles the store:

- a new file gets a row (a fresh stable id);
- a row whose file moved outside the service keeps its id when the scan finds its
  inode at another path;
- a row whose file is gone moves to the Trash (restorable from its newest saved
  revision), or is dropped when it never had a saved revision;
- a file modified outside the service updates the row's modified time.

Changes made through the service hold the owner's lock, so a scan never sees half of one.
"""

from __future__ import annotations

import asyncio
import posixpath
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.drive import ops
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook, Revision, TrashItem

NOTEBOOK_SUFFIX = ".ipynb"
_MTIME_SLACK = timedelta(seconds=1)


@dataclass(frozen=True)
class FolderInfo:
    path: str
    updated_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """What one scan saw: folders and their modified times."""

    folders: list[FolderInfo]


def trash_marker(item_id: str, inside: str) -> str:
    """The `path` of a row in the Trash (never a valid drive path: it starts with '\\')."""
    return f"\\{item_id}/{inside}"


def unique_name(path: str, taken: Callable[[str], bool], *, suffix: str = "") -> str:
    """`path`, or `stem (1)suffix`, `stem (2)suffix`, ... : the first that is free."""
    if not taken(path):
        return path
    stem = path[: -len(suffix)] if suffix and path.endswith(suffix) else path
    n = 1
    while taken(f"{stem} ({n}){suffix}"):
        n += 1
    return f"{stem} ({n}){suffix}"


class DriveIndex:
    def __init__(self, db: Database, drive_dir: Path) -> None:
        self.db = db
        self.drive_dir = drive_dir
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def root(self, owner_id: int) -> Path:
        return self.drive_dir / str(owner_id)

    def lock(self, owner_id: int) -> asyncio.Lock:
        """Held by every change of the owner's drive made through the service."""
        return self._locks[owner_id]

    async def sync(self, owner_id: int) -> Snapshot:
        async with self.lock(owner_id):
            return await self.sync_locked(owner_id)

    async def sync_locked(self, owner_id: int) -> Snapshot:
        root = self.root(owner_id)
        if not await asyncio.to_thread(root.is_dir):
            # No drive folder (never written, or storage not there): nothing to reconcile;
            # rows are never trashed because their whole drive is missing.
            return Snapshot(folders=[])
        entries = await asyncio.to_thread(ops.scan, root)
        files = {e.path: e for e in entries if not e.is_dir and e.path.endswith(NOTEBOOK_SUFFIX)}
        folders = [
            FolderInfo(e.path, datetime.fromtimestamp(e.mtime, UTC)) for e in entries if e.is_dir
        ]
        async with self.db.session() as s:
            # Plain tuples, not ORM objects: this runs on every listing.
            rows = (
                await s.execute(
                    select(
                        Notebook.id, Notebook.path, Notebook.file_inode, Notebook.updated_at
                    ).where(Notebook.owner_id == owner_id, Notebook.trash_item_id.is_(None))
                )
            ).all()
            known = {path for _, path, _, _ in rows}
            new = {p: e for p, e in files.items() if p not in known}
            by_inode = {e.inode: p for p, e in new.items()}
            changed = False
            for nb_id, path, inode, updated_at in rows:
                entry = files.get(path)
                if entry is None:
                    moved_to = by_inode.pop(inode, None) if inode else None
                    nb = await s.get(Notebook, nb_id)
                    assert nb is not None
                    if moved_to is not None:
                        nb.path = moved_to
                        new.pop(moved_to)
                    else:
                        await self._gone(s, nb)
                    changed = True
                    continue
                mtime = datetime.fromtimestamp(entry.mtime, UTC)
                if mtime > as_utc(updated_at) + _MTIME_SLACK:
                    await s.execute(
                        update(Notebook)
                        .where(Notebook.id == nb_id)
                        .values(updated_at=mtime, file_inode=entry.inode)
                    )
                    changed = True
            for path, entry in new.items():
                mtime = datetime.fromtimestamp(entry.mtime, UTC)
                s.add(
                    Notebook(
                        id=str(uuid.uuid4()),
                        owner_id=owner_id,
                        path=path,
                        revision=1,
                        created_at=mtime,
                        updated_at=mtime,
                        file_inode=entry.inode,
                    )
                )
                changed = True
            if changed:
                try:
                    await s.commit()
                except IntegrityError:
                    # Another service process indexed the same files first; its rows stand.
                    await s.rollback()
        return Snapshot(folders=folders)

    async def _gone(self, s: AsyncSession, nb: Notebook) -> None:
        """A file deleted outside the service: to the Trash if a revision can bring it back."""
        has_revision = (
            await s.execute(select(Revision.id).where(Revision.notebook_id == nb.id).limit(1))
        ).first() is not None
        if not has_revision:
            await s.execute(delete(Notebook).where(Notebook.id == nb.id))
            return
        item = TrashItem(
            id=str(uuid.uuid4()),
            owner_id=nb.owner_id,
            kind="notebook",
            original_path=nb.path,
            trashed_at=utcnow(),
        )
        s.add(item)
        nb.trash_item_id = item.id
        nb.path = trash_marker(item.id, posixpath.basename(nb.path))
