"""Notebooks: .ipynb files in their owner's drive folder, with stable ids and revisions.

The file is what a user sees in their drive; the store keeps the id, the current
revision number and a compressed copy of each saved revision. A save is
conditional (the revision the client edited must still be current) and atomic.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import uuid
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.drive import ops
from cloudbook.drive.paths import validate_relative_path
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.drive_index import NOTEBOOK_SUFFIX, DriveIndex, unique_name
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.folders import FolderService
from cloudbook.services.identity import UserInfo
from cloudbook.services.listing import IfExists, Listing, list_notebooks
from cloudbook.services.listing import NotebookInfo as NotebookInfo
from cloudbook.services.listing import info_of as _info
from cloudbook.services.nbcontent import dumps, empty_notebook, normalize
from cloudbook.services.trash import TrashService
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook, Revision, User


@dataclass(frozen=True)
class RevisionInfo:
    revision: int
    created_at: datetime
    size: int
    author: str | None = None  # the user who saved it (None once that user is deleted)


def _taken_message(path: str) -> Conflict:
    return Conflict(f"A file named {path!r} already exists.", code="name_taken")


def _unsafe(e: BaseException) -> Conflict | InvalidInput:
    if isinstance(e, ops.UnsafePath):
        # A link or special file a runtime planted in the drive: refused, nothing changes.
        return Conflict(
            "A link or a special file is in the way of this notebook.", code="unsafe_path"
        )
    return InvalidInput("Invalid name: a part of the path is not a folder.", code="invalid_name")


class NotebookService:
    def __init__(
        self,
        db: Database,
        drive_dir: Path,
        max_revisions: int = 200,
        trash_dir: Path | None = None,
    ) -> None:
        self.db = db
        self.drive_dir = drive_dir
        self.max_revisions = max_revisions
        # One writer per notebook in this process; the conditional UPDATE covers other processes.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.index = DriveIndex(db, drive_dir)
        self.trash = TrashService(self.index, trash_dir or drive_dir.parent / "trash")
        self.folders = FolderService(self.index, self.trash)
        # Quotas (cloudbook.services.quotas): (owner id, new size, size replaced) before
        # a write to a drive; raises to refuse it.
        self.drive_quota: Callable[[int, int, int], Awaitable[None]] | None = None

    def user_root(self, user_id: int) -> Path:
        return self.drive_dir / str(user_id)

    async def _owned(self, s: AsyncSession, user: UserInfo, notebook_id: str) -> Notebook:
        nb = await s.get(Notebook, notebook_id) if _is_uuid(notebook_id) else None
        if nb is None or nb.owner_id != user.id or nb.trash_item_id is not None:
            raise NotFound("No such notebook.", code="no_such_notebook")
        return nb

    async def _free_path(
        self, s: AsyncSession, owner_id: int, path: str, if_exists: IfExists
    ) -> str:
        root = self.user_root(owner_id)
        live = set(
            (
                await s.execute(
                    select(Notebook.path).where(
                        Notebook.owner_id == owner_id,
                        Notebook.path.startswith(posixpath.splitext(path)[0], autoescape=True),
                    )
                )
            ).scalars()
        )

        def taken(p: str) -> bool:
            return p in live or ops.lstat(root, p) is not None

        if if_exists == "error":
            if await asyncio.to_thread(taken, path):
                raise _taken_message(path)
            return path
        return await asyncio.to_thread(unique_name, path, taken, suffix=NOTEBOOK_SUFFIX)

    async def create(
        self,
        user: UserInfo,
        name: str,
        content: dict[str, Any] | None = None,
        *,
        if_exists: IfExists = "error",
    ) -> NotebookInfo:
        path = validate_relative_path(name, suffix=NOTEBOOK_SUFFIX)
        nb_content = await asyncio.to_thread(
            normalize, content if content is not None else empty_notebook()
        )
        data = await asyncio.to_thread(dumps, nb_content)
        root = self.user_root(user.id)
        if self.drive_quota is not None:
            await self.drive_quota(user.id, len(data), 0)
        async with self.index.lock(user.id), self.db.session() as s:
            path = await self._free_path(s, user.id, path, if_exists)
            now = utcnow()
            nb = Notebook(
                id=str(uuid.uuid4()),
                owner_id=user.id,
                path=path,
                revision=1,
                created_at=now,
                updated_at=now,
            )
            s.add(nb)
            s.add(await _revision_row(nb.id, 1, user.id, data))
            try:
                await s.flush()
            except IntegrityError:
                raise _taken_message(path) from None
            try:
                nb.file_inode = await asyncio.to_thread(ops.write_atomic, root, path, data)
            except (ops.UnsafePath, NotADirectoryError) as e:
                raise _unsafe(e) from None
            try:
                await s.commit()
            except BaseException:
                await asyncio.to_thread(ops.remove_file, root, path)
                raise
        return _info(nb)

    async def duplicate(self, user: UserInfo, notebook_id: str, name: str | None) -> NotebookInfo:
        """Colab's "Save a copy in Drive": `Copy of <name>` beside the original."""
        info, content = await self.get(user, notebook_id, mark_opened=False)
        if name is None:
            folder, leaf = posixpath.split(info.name)
            name = posixpath.join(folder, f"Copy of {leaf}") if folder else f"Copy of {leaf}"
        return await self.create(user, name, content, if_exists="rename")

    async def read_file(self, user: UserInfo, notebook_id: str) -> tuple[NotebookInfo, bytes]:
        info, content = await self.get(user, notebook_id, mark_opened=False)
        try:
            raw = await asyncio.to_thread(ops.read_bytes, self.user_root(user.id), info.name)
        except (OSError, ValueError):
            raw = await asyncio.to_thread(dumps, content)
        return info, raw

    async def list_for(
        self, user: UserInfo, folder: str | None = None, query: str | None = None
    ) -> Listing:
        """Notebooks and folders directly in `folder`, or everything below it when `folder`
        is None; `query` keeps names containing it (any case), searching every subfolder."""
        snapshot = await self.index.sync(user.id)
        return await list_notebooks(self.db, user.id, snapshot, folder, query)

    async def get_info(self, user: UserInfo, notebook_id: str) -> NotebookInfo:
        async with self.db.session() as s:
            return _info(await self._owned(s, user, notebook_id))

    async def get(
        self, user: UserInfo, notebook_id: str, *, mark_opened: bool = True
    ) -> tuple[NotebookInfo, dict[str, Any]]:
        async with self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            if mark_opened:
                nb.opened_at = utcnow()
                await s.commit()
        try:
            raw = await asyncio.to_thread(ops.read_bytes, self.user_root(nb.owner_id), nb.path)
            content = json.loads(raw)
            if not isinstance(content, dict):
                raise ValueError("not a notebook")
        except (OSError, ValueError):
            # The drive copy is gone or broken: the newest revision is the truth.
            content = await self._revision_content(nb.id, nb.revision)
        return _info(nb), content

    async def save(
        self, user: UserInfo, notebook_id: str, content: Any, base_revision: int
    ) -> NotebookInfo:
        nb_content = await asyncio.to_thread(normalize, content)
        data = await asyncio.to_thread(dumps, nb_content)
        async with self._locks[notebook_id]:
            return await self._write_revision(user, notebook_id, data, base_revision)

    async def _write_revision(
        self, user: UserInfo, notebook_id: str, data: bytes, base_revision: int
    ) -> NotebookInfo:
        async with self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            if nb.revision != base_revision:
                raise _stale(nb.revision)
            now = utcnow()
            new_revision = base_revision + 1
            result = await s.execute(
                update(Notebook)
                .where(Notebook.id == notebook_id, Notebook.revision == base_revision)
                .values(revision=new_revision, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise _stale(None)
            s.add(await _revision_row(notebook_id, new_revision, user.id, data))
            await s.execute(
                delete(Revision).where(
                    Revision.notebook_id == notebook_id,
                    Revision.revision <= new_revision - self.max_revisions,
                )
            )
            root = self.user_root(nb.owner_id)
            try:
                previous: bytes | None = await asyncio.to_thread(ops.read_bytes, root, nb.path)
            except (OSError, ValueError):
                previous = None
            if self.drive_quota is not None:
                await self.drive_quota(nb.owner_id, len(data), len(previous or b""))
            try:
                nb.file_inode = await asyncio.to_thread(ops.write_atomic, root, nb.path, data)
            except (ops.UnsafePath, NotADirectoryError) as e:
                raise _unsafe(e) from None
            try:
                await s.commit()
            except BaseException:
                if previous is not None:
                    await asyncio.to_thread(ops.write_atomic, root, nb.path, previous)
                raise
            await s.refresh(nb)
            return _info(nb)

    async def rename(self, user: UserInfo, notebook_id: str, new_name: str) -> NotebookInfo:
        """A new name, or a new folder (the name is the whole path): the id stays."""
        path = validate_relative_path(new_name, suffix=NOTEBOOK_SUFFIX)
        root = self.user_root(user.id)
        async with self._locks[notebook_id], self.index.lock(user.id), self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            if path == nb.path:
                return _info(nb)
            old = nb.path
            await self._free_path(s, user.id, path, "error")
            moved = False
            try:
                if await asyncio.to_thread(ops.lstat_strict, root, old) is not None:
                    await asyncio.to_thread(ops.move, root, old, root, path)
                    moved = True
            except FileExistsError:
                raise _taken_message(path) from None
            except (ops.UnsafePath, NotADirectoryError) as e:
                raise _unsafe(e) from None
            nb.path = path
            nb.updated_at = utcnow()
            try:
                await s.commit()
            except BaseException:
                if moved:
                    await asyncio.to_thread(ops.move, root, path, root, old)
                raise
            return _info(nb)

    async def delete(self, user: UserInfo, notebook_id: str) -> str:
        """Move to the Trash; returns the Trash item's id."""
        async with self._locks[notebook_id], self.index.lock(user.id), self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            item = await self.trash.trash_notebook_locked(s, nb)
            await s.commit()
        self._locks.pop(notebook_id, None)
        return item.id

    async def revisions(self, user: UserInfo, notebook_id: str) -> list[RevisionInfo]:
        async with self.db.session() as s:
            await self._owned(s, user, notebook_id)
            rows = await s.execute(
                select(Revision.revision, Revision.created_at, Revision.size, User.name)
                .outerjoin(User, User.id == Revision.author_id)
                .where(Revision.notebook_id == notebook_id)
                .order_by(Revision.revision.desc())
            )
            return [
                RevisionInfo(revision=r, created_at=as_utc(c), size=z, author=a)
                for r, c, z, a in rows.all()
            ]

    async def revision(
        self, user: UserInfo, notebook_id: str, revision: int
    ) -> tuple[RevisionInfo, dict[str, Any]]:
        async with self.db.session() as s:
            await self._owned(s, user, notebook_id)
            row = (
                await s.execute(
                    select(Revision).where(
                        Revision.notebook_id == notebook_id, Revision.revision == revision
                    )
                )
            ).scalar_one_or_none()
        if row is None:
            raise NotFound("No such revision.", code="no_such_revision")
        content = json.loads(await asyncio.to_thread(zlib.decompress, row.content))
        return RevisionInfo(row.revision, as_utc(row.created_at), row.size), content

    async def restore(
        self, user: UserInfo, notebook_id: str, revision: int, base_revision: int
    ) -> NotebookInfo:
        _, content = await self.revision(user, notebook_id, revision)
        return await self.save(user, notebook_id, content, base_revision)

    async def _revision_content(self, notebook_id: str, revision: int) -> dict[str, Any]:
        async with self.db.session() as s:
            blob = (
                await s.execute(
                    select(Revision.content).where(
                        Revision.notebook_id == notebook_id, Revision.revision == revision
                    )
                )
            ).scalar_one_or_none()
        if blob is None:
            return empty_notebook()
        result: dict[str, Any] = json.loads(zlib.decompress(blob))
        return result


def _stale(current: int | None) -> Conflict:
    where = f" (it is now at revision {current})" if current is not None else ""
    return Conflict(
        f"The notebook was saved elsewhere since this edit began{where}.", code="stale_revision"
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _revision_row(notebook_id: str, revision: int, author_id: int, data: bytes) -> Revision:
    packed = await asyncio.to_thread(zlib.compress, data, 6)
    return Revision(
        notebook_id=notebook_id,
        revision=revision,
        author_id=author_id,
        created_at=utcnow(),
        size=len(data),
        content=packed,
    )
