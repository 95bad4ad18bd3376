"""Notebooks: .ipynb files in their owner's drive folder, with stable ids and revisions.

The file is what a user sees in their drive; the store keeps the id, the current
revision number and a compressed copy of each saved revision. A save is
conditional (the revision the client edited must still be current) and atomic.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.drive import safe_fs
from cloudbook.drive.paths import validate_relative_path
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Conflict, NotFound, ServiceError
from cloudbook.services.identity import UserInfo
from cloudbook.services.nbcontent import dumps, empty_notebook, normalize
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook, Revision, User

log = logging.getLogger("cloudbook.notebooks")


@dataclass(frozen=True)
class NotebookInfo:
    id: str
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RevisionInfo:
    revision: int
    created_at: datetime
    size: int
    author: str | None = None  # the user who saved it (None once that user is deleted)


def _info(nb: Notebook) -> NotebookInfo:
    return NotebookInfo(
        id=nb.id,
        name=nb.path,
        revision=nb.revision,
        created_at=as_utc(nb.created_at),
        updated_at=as_utc(nb.updated_at),
    )


class NotebookService:
    def __init__(self, db: Database, drive_dir: Path, max_revisions: int = 200) -> None:
        self.db = db
        self.drive_dir = drive_dir
        self.max_revisions = max_revisions
        # One writer per notebook in this process; the conditional UPDATE covers other processes.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def user_root(self, user_id: int) -> Path:
        return self.drive_dir / str(user_id)

    # Every file operation goes through cloudbook.drive.safe_fs: the drive is writable
    # from runtimes, so a folder may become a symlink between any two system calls.

    async def _owned(self, s: AsyncSession, user: UserInfo, notebook_id: str) -> Notebook:
        nb = await s.get(Notebook, notebook_id) if _is_uuid(notebook_id) else None
        if nb is None or nb.owner_id != user.id:
            raise NotFound("No such notebook.", code="no_such_notebook")
        return nb

    async def create(
        self, user: UserInfo, name: str, content: dict[str, Any] | None = None
    ) -> NotebookInfo:
        path = validate_relative_path(name, suffix=".ipynb")
        data = await asyncio.to_thread(
            _validated_bytes, content if content is not None else empty_notebook()
        )
        root = self.user_root(user.id)
        now = utcnow()
        nb = Notebook(
            id=str(uuid.uuid4()),
            owner_id=user.id,
            path=path,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        async with self.db.session() as s:
            if await _path_taken(s, user.id, path):
                raise Conflict(f"A file named {path!r} already exists.", code="name_taken")
            s.add(nb)
            s.add(await _revision_row(nb.id, 1, user.id, data))
            try:
                await s.flush()
            except IntegrityError:
                raise Conflict(
                    f"A file named {path!r} already exists.", code="name_taken"
                ) from None
            # Exclusive: an existing file (or link) of that name answers 409 name_taken.
            await asyncio.to_thread(safe_fs.write_bytes, root, path, data, exclusive=True)
            try:
                await s.commit()
            except BaseException:
                await asyncio.to_thread(safe_fs.unlink, root, path, missing_ok=True)
                raise
        return _info(nb)

    async def get_info(self, user: UserInfo, notebook_id: str) -> NotebookInfo:
        async with self.db.session() as s:
            return _info(await self._owned(s, user, notebook_id))

    async def list_for(self, user: UserInfo) -> list[NotebookInfo]:
        async with self.db.session() as s:
            rows = await s.execute(
                select(Notebook)
                .where(Notebook.owner_id == user.id)
                .order_by(Notebook.updated_at.desc())
            )
            return [_info(nb) for nb in rows.scalars()]

    async def get(self, user: UserInfo, notebook_id: str) -> tuple[NotebookInfo, dict[str, Any]]:
        async with self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
        try:
            raw = await asyncio.to_thread(safe_fs.read_bytes, self.user_root(nb.owner_id), nb.path)
            content = json.loads(raw)
        except (OSError, ValueError, ServiceError) as exc:
            # The drive copy is gone, broken or behind a link: the newest revision is the truth.
            if isinstance(exc, safe_fs.UnsafePath):
                log.warning("notebook %s: %s", nb.id, exc.message)
            content = await self._revision_content(nb.id, nb.revision)
        return _info(nb), content

    async def save(
        self, user: UserInfo, notebook_id: str, content: Any, base_revision: int
    ) -> NotebookInfo:
        data = await asyncio.to_thread(_validated_bytes, content)
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
            previous = await asyncio.to_thread(_replace_file, root, nb.path, data)
            try:
                await s.commit()
            except BaseException:
                if previous is not None:
                    await asyncio.to_thread(safe_fs.write_bytes, root, nb.path, previous)
                raise
            await s.refresh(nb)
            return _info(nb)

    async def rename(self, user: UserInfo, notebook_id: str, new_name: str) -> NotebookInfo:
        path = validate_relative_path(new_name, suffix=".ipynb")
        async with self._locks[notebook_id], self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            if path == nb.path:
                return _info(nb)
            root = self.user_root(nb.owner_id)
            if await _path_taken(s, user.id, path):
                raise Conflict(f"A file named {path!r} already exists.", code="name_taken")
            old = nb.path
            # Never replaces: an existing file (or link) named `path` answers 409 name_taken.
            moved = await asyncio.to_thread(_move_file, root, old, path)
            nb.path = path
            nb.updated_at = utcnow()
            try:
                await s.commit()
            except BaseException:
                if moved:
                    await asyncio.to_thread(safe_fs.rename, root, path, old)
                raise
            return _info(nb)

    async def delete(self, user: UserInfo, notebook_id: str) -> None:
        async with self._locks[notebook_id], self.db.session() as s:
            nb = await self._owned(s, user, notebook_id)
            root, path = self.user_root(nb.owner_id), nb.path
            await s.delete(nb)
            await s.commit()
            try:
                await asyncio.to_thread(safe_fs.unlink, root, path, missing_ok=True)
            except safe_fs.UnsafePath as exc:  # the notebook is gone; the link stays untouched
                log.warning("notebook %s deleted, file left: %s", notebook_id, exc.message)
        self._locks.pop(notebook_id, None)

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


def _validated_bytes(content: Any) -> bytes:
    """nbformat validation and serialisation (CPU-bound: run in a thread)."""
    return dumps(normalize(content))


def _replace_file(root: Path, path: str, data: bytes) -> bytes | None:
    """Write ``data`` at ``path``; the bytes it held before (None if it did not exist).
    Both steps use one folder descriptor, so they touch the same file."""
    with safe_fs.parent(root, path, create=True) as (dir_fd, name):
        try:
            previous: bytes | None = safe_fs.read_at(dir_fd, name)
        except NotFound:
            previous = None
        safe_fs.write_at(dir_fd, name, data)
        return previous


def _move_file(root: Path, old: str, new: str) -> bool:
    """Rename a notebook's file; False when it had no file (the store keeps the content)."""
    try:
        safe_fs.rename(root, old, new)
    except NotFound:
        return False
    return True


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


async def _path_taken(s: AsyncSession, owner_id: int, path: str) -> bool:
    row = await s.execute(
        select(Notebook.id).where(Notebook.owner_id == owner_id, Notebook.path == path)
    )
    return row.first() is not None


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
