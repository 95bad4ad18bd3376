"""The Trash: deleted notebooks and folders, kept outside the drive until restored or emptied.

A trashed item's files sit in ``DATA/trash/<owner>/<item id>/<its name>`` (outside the
drive, so runtimes no longer see them); its notebook rows keep their ids and revisions
and carry the item's id. Restoring puts the item back where it was (as ``name (1)``
when that name was taken since), recreating the folders above it.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.drive import ops
from cloudbook.drive.paths import validate_relative_path
from cloudbook.services.access import is_uuid
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.drive_index import NOTEBOOK_SUFFIX, DriveIndex, trash_marker, unique_name
from cloudbook.services.errors import NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.nbcontent import dumps, empty_notebook
from cloudbook.store.models import Notebook, Revision, TrashItem


@dataclass(frozen=True)
class TrashInfo:
    id: str
    kind: str
    name: str  # where it was
    trashed_at: datetime
    notebook_id: str | None  # for a trashed notebook
    notebooks: int  # how many notebooks it holds


class TrashService:
    def __init__(self, index: DriveIndex, trash_dir: Path) -> None:
        self.index = index
        self.db = index.db
        self.trash_dir = trash_dir
        # Told the ids of notebooks deleted forever (the app drops what the service kept
        # beside them: cloudbook.live.spill's full-output files).
        self.on_purged: Callable[[Sequence[str]], None] = lambda _ids: None

    def _root(self, owner_id: int) -> Path:
        return self.trash_dir / str(owner_id)

    async def trash_notebook_locked(self, s: AsyncSession, nb: Notebook) -> TrashItem:
        """Move a live notebook into the Trash (caller holds the owner's lock and commits)."""
        item = self._item(nb.owner_id, "notebook", nb.path)
        leaf = posixpath.basename(nb.path)
        root = self.index.root(nb.owner_id)
        if await asyncio.to_thread(ops.exists, root, nb.path):
            await asyncio.to_thread(
                ops.move, root, nb.path, self._root(nb.owner_id), f"{item.id}/{leaf}"
            )
        s.add(item)
        nb.trash_item_id = item.id
        nb.path = trash_marker(item.id, leaf)
        return item

    async def trash_folder_locked(self, s: AsyncSession, owner_id: int, path: str) -> TrashItem:
        item = self._item(owner_id, "folder", path)
        leaf = posixpath.basename(path)
        await asyncio.to_thread(
            ops.move, self.index.root(owner_id), path, self._root(owner_id), f"{item.id}/{leaf}"
        )
        s.add(item)
        rows = await s.execute(
            select(Notebook).where(
                Notebook.owner_id == owner_id,
                Notebook.trash_item_id.is_(None),
                Notebook.path.startswith(path + "/", autoescape=True),
            )
        )
        for nb in rows.scalars():
            nb.trash_item_id = item.id
            nb.path = trash_marker(item.id, leaf + nb.path[len(path) :])
        return item

    def _item(self, owner_id: int, kind: str, path: str) -> TrashItem:
        return TrashItem(
            id=str(uuid.uuid4()),
            owner_id=owner_id,
            kind=kind,
            original_path=path,
            trashed_at=utcnow(),
        )

    async def _owned(self, s: AsyncSession, user: UserInfo, item_id: str) -> TrashItem:
        item = await s.get(TrashItem, item_id) if is_uuid(item_id) else None
        if item is None or item.owner_id != user.id:
            raise NotFound("No such item in the Trash.", code="no_such_trash_item")
        return item

    async def list(self, user: UserInfo) -> list[TrashInfo]:
        await self.index.sync(user.id)
        async with self.db.session() as s:
            counts = dict(
                (
                    await s.execute(
                        select(Notebook.trash_item_id, func.count())
                        .where(Notebook.owner_id == user.id, Notebook.trash_item_id.is_not(None))
                        .group_by(Notebook.trash_item_id)
                    )
                ).all()
            )
            firsts = dict(
                (
                    await s.execute(
                        select(Notebook.trash_item_id, func.min(Notebook.id))
                        .where(Notebook.owner_id == user.id, Notebook.trash_item_id.is_not(None))
                        .group_by(Notebook.trash_item_id)
                    )
                ).all()
            )
            items = (
                await s.execute(
                    select(TrashItem)
                    .where(TrashItem.owner_id == user.id)
                    .order_by(TrashItem.trashed_at.desc())
                )
            ).scalars()
            return [
                TrashInfo(
                    id=i.id,
                    kind=i.kind,
                    name=i.original_path,
                    trashed_at=as_utc(i.trashed_at),
                    notebook_id=firsts.get(i.id) if i.kind == "notebook" else None,
                    notebooks=int(counts.get(i.id, 0)),
                )
                for i in items
            ]

    async def restore(self, user: UserInfo, item_id: str) -> str:
        """Put the item back; returns where it went (its old place or `name (1)`)."""
        async with self.index.lock(user.id):
            await self.index.sync_locked(user.id)
            async with self.db.session() as s:
                item = await self._owned(s, user, item_id)
                root = self.index.root(user.id)
                suffix = NOTEBOOK_SUFFIX if item.kind == "notebook" else ""
                taken_rows = set(
                    (
                        await s.execute(
                            select(Notebook.path).where(
                                Notebook.owner_id == user.id, Notebook.trash_item_id.is_(None)
                            )
                        )
                    ).scalars()
                )

                def taken(p: str) -> bool:
                    return p in taken_rows or ops.lstat(root, p) is not None

                original = validate_relative_path(item.original_path)
                target = await asyncio.to_thread(unique_name, original, taken, suffix=suffix)
                leaf = posixpath.basename(original)
                stored = f"{item.id}/{leaf}"
                rows = list(
                    (
                        await s.execute(select(Notebook).where(Notebook.trash_item_id == item.id))
                    ).scalars()
                )
                if await asyncio.to_thread(ops.exists, self._root(user.id), stored):
                    await asyncio.to_thread(ops.move, self._root(user.id), stored, root, target)
                elif item.kind == "notebook" and rows:
                    # Deleted outside the service: bring back the newest saved revision.
                    data = await _newest_content(s, rows[0])
                    await asyncio.to_thread(ops.write_atomic, root, target, data)
                for nb in rows:
                    inside = nb.path.split("/", 1)[1]  # "\\<item>/<leaf>[/rest]"
                    nb.path = target + inside[len(leaf) :]
                    nb.trash_item_id = None
                    nb.updated_at = utcnow()
                await s.delete(item)
                await s.commit()
                await asyncio.to_thread(ops.remove_tree, self._root(user.id) / item.id)
                return target

    async def delete_forever(self, user: UserInfo, item_id: str) -> None:
        async with self.index.lock(user.id), self.db.session() as s:
            item = await self._owned(s, user, item_id)
            purged = await self._purge(s, item)
            await s.commit()
        await asyncio.to_thread(ops.remove_tree, self._root(user.id) / item_id)
        await asyncio.to_thread(self.on_purged, purged)

    async def empty(self, user: UserInfo) -> int:
        async with self.index.lock(user.id), self.db.session() as s:
            items = list(
                (await s.execute(select(TrashItem).where(TrashItem.owner_id == user.id))).scalars()
            )
            purged: list[str] = []
            for item in items:
                purged += await self._purge(s, item)
            await s.commit()
        for item in items:
            await asyncio.to_thread(ops.remove_tree, self._root(user.id) / item.id)
        await asyncio.to_thread(self.on_purged, purged)
        return len(items)

    async def _purge(self, s: AsyncSession, item: TrashItem) -> tuple[str, ...]:
        """Delete the item's rows; returns the ids of the notebooks it held."""
        ids = tuple(
            (
                await s.execute(select(Notebook.id).where(Notebook.trash_item_id == item.id))
            ).scalars()
        )
        await s.execute(delete(Notebook).where(Notebook.trash_item_id == item.id))
        await s.delete(item)
        return ids


async def _newest_content(s: AsyncSession, nb: Notebook) -> bytes:
    blob = (
        await s.execute(
            select(Revision.content)
            .where(Revision.notebook_id == nb.id)
            .order_by(Revision.revision.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if blob is None:
        return dumps(empty_notebook())
    return dumps(json.loads(zlib.decompress(blob)))
