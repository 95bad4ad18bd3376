"""Transfer of a notebook's ownership: the file moves into the new owner's drive."""

from __future__ import annotations

import asyncio
import posixpath

from sqlalchemy import delete, select, update

from cloudbook.drive import ops
from cloudbook.services.audit import AuditLog, Who
from cloudbook.services.clock import utcnow
from cloudbook.services.drive_index import NOTEBOOK_SUFFIX
from cloudbook.services.errors import Conflict, InvalidInput
from cloudbook.services.identity import UserInfo
from cloudbook.services.listing import NotebookInfo, info_of
from cloudbook.services.notebooks import NotebookService
from cloudbook.store.models import Share, User


async def transfer_ownership(
    notebooks: NotebookService,
    user: UserInfo,
    notebook_id: str,
    new_owner_name: str,
    audit: AuditLog | None = None,
) -> NotebookInfo:
    """Only the owner may; the file goes to the top of the new owner's drive (a free name),
    the former owner keeps editor access, and the notebook's own shares follow it. Shares of
    the former owner's folders no longer reach it (it left those folders)."""
    access = notebooks.access
    async with notebooks.db.session() as s:
        nb, _ = await access.require(s, user, notebook_id, "owner")
        new_owner = (
            await s.execute(select(User).where(User.name == new_owner_name))
        ).scalar_one_or_none()
    if new_owner is None:
        raise InvalidInput(f"No user is named {new_owner_name!r}.", code="no_such_user")
    if new_owner.id == user.id:
        raise InvalidInput("You own this notebook already.", code="is_owner")
    old_root, new_root = notebooks.user_root(user.id), notebooks.user_root(new_owner.id)
    async with (
        notebooks._locks[notebook_id],
        notebooks.index.lock(min(user.id, new_owner.id)),
        notebooks.index.lock(max(user.id, new_owner.id)),
        notebooks.db.session() as s,
    ):
        nb, _ = await access.require(s, user, notebook_id, "owner")
        old_path = nb.path
        path = await notebooks._free_path(s, new_owner.id, posixpath.basename(old_path), "rename")
        if not path.endswith(NOTEBOOK_SUFFIX):
            raise InvalidInput("Not a notebook.", code="invalid_name")
        moved = False
        try:
            if await asyncio.to_thread(ops.lstat_strict, old_root, old_path) is not None:
                await asyncio.to_thread(ops.move, old_root, old_path, new_root, path)
                moved = True
        except FileExistsError:
            raise Conflict(f"A file named {path!r} already exists.", code="name_taken") from None
        except (ops.UnsafePath, NotADirectoryError):
            raise Conflict("A link or a special file is in the way.", code="unsafe_path") from None
        nb.owner_id = new_owner.id
        nb.path = path
        nb.updated_at = utcnow()
        mine = (Share.kind == "notebook") & (Share.target == notebook_id)
        await s.execute(delete(Share).where(mine, Share.user_id.in_([new_owner.id, user.id])))
        await s.execute(
            update(Share)
            .where(mine)
            .values(owner_id=new_owner.id)
            .execution_options(synchronize_session=False)
        )
        s.add(
            Share(
                owner_id=new_owner.id,
                kind="notebook",
                target=notebook_id,
                user_id=user.id,
                role="editor",
                created_at=utcnow(),
            )
        )
        try:
            await s.commit()
        except BaseException:
            if moved:
                await asyncio.to_thread(ops.move, new_root, path, old_root, old_path)
            raise
        info = info_of(nb)
    await access.changed(user.id)
    await access.changed(new_owner.id)
    await (audit or AuditLog(notebooks.db)).record(
        "ownership.transferred",
        actor=user,
        subject=Who(new_owner.id, new_owner.name),
        target=notebook_id,
        detail={"path": path, "previous_path": old_path},
    )
    return info
