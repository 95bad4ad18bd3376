"""Sharing a notebook or a folder: people, general access, "Shared with me".

Only the owner changes who has access (an editor cannot share further, nor make themselves
the owner). Every change tells ``AccessService.changed`` so open connections of people who
lost access close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.services.access import (
    RANK,
    SHARE_ROLES,
    AccessService,
    FolderRef,
    Role,
    ShareRole,
    folders_above,
)
from cloudbook.services.audit import AuditLog, Who
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Forbidden, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook, Share, User


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    # Where the access comes from: "notebook", or the folder path it inherits from.
    via: str


@dataclass(frozen=True)
class ShareList:
    owner: str
    people: list[Person]
    general: ShareRole | None
    role: Role  # the caller's own


@dataclass(frozen=True)
class SharedNotebook:
    id: str
    name: str
    owner: str
    role: str
    updated_at: datetime


@dataclass(frozen=True)
class SharedFolder:
    owner: str
    path: str
    role: str


@dataclass(frozen=True)
class SharedWithMe:
    notebooks: list[SharedNotebook]
    folders: list[SharedFolder]


Target = tuple[int, str, str, str]  # owner id, kind, target, path (for folders above)


def check_role(role: str) -> ShareRole:
    for known in SHARE_ROLES:
        if role == known:
            return known
    raise InvalidInput("The role must be viewer, commenter or editor.", code="invalid_role")


class ShareService:
    def __init__(self, db: Database, access: AccessService, audit: AuditLog | None = None) -> None:
        self.db = db
        self.access = access
        self.audit = audit or AuditLog(db)

    async def _target(
        self, s: AsyncSession, user: UserInfo, item: str | FolderRef, need: Role
    ) -> tuple[Target, Role]:
        if isinstance(item, FolderRef):
            role = await self.access.role_of(user, item)
            if role is None:
                raise NotFound("No such folder.", code="no_such_folder")
            if RANK[role] < RANK[need]:
                raise Forbidden(f"This needs the {need} role on the folder.", code="forbidden_role")
            return (item.owner_id, "folder", item.path, item.path + "/x"), role
        nb, role = await self.access.require(s, user, item, need)
        return (nb.owner_id, "notebook", nb.id, nb.path), role

    async def list(self, user: UserInfo, item: str | FolderRef) -> ShareList:
        """Who has access: anyone who can view may see it (as on Drive)."""
        async with self.db.session() as s:
            (owner_id, kind, target, path), role = await self._target(s, user, item, "viewer")
            above = folders_above(path)
            rows = (
                await s.execute(
                    select(Share.kind, Share.target, Share.role, User.name)
                    .outerjoin(User, User.id == Share.user_id)
                    .where(Share.owner_id == owner_id)
                    .where(
                        ((Share.kind == kind) & (Share.target == target))
                        | ((Share.kind == "folder") & Share.target.in_(above))
                    )
                )
            ).all()
            owner = await s.get(User, owner_id)
        best: dict[str | None, Person] = {}
        for k, t, r, name in rows:
            via = "notebook" if k == "notebook" else t
            if k == kind and t == target:
                via = kind
            current = best.get(name)
            if current is None or RANK[r] > RANK[current.role]:
                best[name] = Person(name=name or "", role=r, via=via)
        general = best.pop(None, None)
        people = sorted(best.values(), key=lambda p: p.name.casefold())
        return ShareList(
            owner=owner.name if owner else "",
            people=people,
            general=check_role(general.role) if general else None,
            role=role,
        )

    async def _user(self, s: AsyncSession, name: str) -> User:
        row = (await s.execute(select(User).where(User.name == name))).scalar_one_or_none()
        if row is None:
            raise InvalidInput(f"No user is named {name!r}.", code="no_such_user")
        return row

    async def _put(
        self, user: UserInfo, item: str | FolderRef, holder: User | None, role: ShareRole | None
    ) -> None:
        user_id = holder.id if holder is not None else None
        async with self.db.session() as s:
            (owner_id, kind, target, _), _ = await self._target(s, user, item, "owner")
            if user_id == owner_id:
                raise InvalidInput("The owner has every right already.", code="is_owner")
            held_by = Share.user_id.is_(None) if user_id is None else Share.user_id == user_id
            mine = (Share.owner_id == owner_id) & (Share.kind == kind) & (Share.target == target)
            before = (await s.execute(select(Share.role).where(mine, held_by))).scalars().first()
            await s.execute(delete(Share).where(mine, held_by))
            if role is not None:
                s.add(
                    Share(
                        owner_id=owner_id,
                        kind=kind,
                        target=target,
                        user_id=user_id,
                        role=role,
                        created_at=utcnow(),
                    )
                )
            await s.commit()
        await self.access.changed(owner_id)
        await self._audit(user, owner_id, kind, target, holder, before, role)

    async def _audit(
        self,
        actor: UserInfo,
        owner_id: int,
        kind: str,
        target: str,
        holder: User | None,
        before: str | None,
        role: str | None,
    ) -> None:
        if before == role:
            return  # nothing changed
        where = target if kind == "notebook" else f"folder:{owner_id}:{target}"
        detail = {"item": kind, "role": role, "previous": before}
        if holder is None:
            await self.audit.record("share.general", actor=actor, target=where, detail=detail)
            return
        event = "share.added" if before is None else "share.removed" if role is None else None
        await self.audit.record(
            event or "share.changed",
            actor=actor,
            subject=Who(holder.id, holder.name),
            target=where,
            detail=detail,
        )

    async def share(self, user: UserInfo, item: str | FolderRef, name: str, role: str) -> None:
        """Give ``name`` a role (or change it)."""
        checked = check_role(role)
        async with self.db.session() as s:
            target_user = await self._user(s, name)
        await self._put(user, item, target_user, checked)

    async def unshare(self, user: UserInfo, item: str | FolderRef, name: str) -> None:
        async with self.db.session() as s:
            target_user = await self._user(s, name)
        await self._put(user, item, target_user, None)

    async def set_general(self, user: UserInfo, item: str | FolderRef, role: str | None) -> None:
        await self._put(user, item, None, None if role is None else check_role(role))

    async def shared_with_me(self, user: UserInfo) -> SharedWithMe:
        """What others shared with ``user`` by name (a link alone lists nothing)."""
        async with self.db.session() as s:
            shares = (
                await s.execute(
                    select(Share.owner_id, Share.kind, Share.target, Share.role, User.name)
                    .join(User, User.id == Share.owner_id)
                    .where(Share.user_id == user.id)
                )
            ).all()
            notebooks: dict[str, SharedNotebook] = {}
            folders: list[SharedFolder] = []
            for owner_id, kind, target, role, owner in shares:
                stmt = select(Notebook).where(
                    Notebook.owner_id == owner_id, Notebook.trash_item_id.is_(None)
                )
                if kind == "notebook":
                    stmt = stmt.where(Notebook.id == target)
                else:
                    folders.append(SharedFolder(owner=owner, path=target, role=role))
                    stmt = stmt.where(Notebook.path.startswith(target + "/", autoescape=True))
                for nb in (await s.execute(stmt)).scalars():
                    seen = notebooks.get(nb.id)
                    if seen is None or RANK[role] > RANK[seen.role]:
                        notebooks[nb.id] = SharedNotebook(
                            nb.id, nb.path, owner, role, as_utc(nb.updated_at)
                        )
        return SharedWithMe(
            notebooks=sorted(notebooks.values(), key=lambda n: n.updated_at, reverse=True),
            folders=sorted(folders, key=lambda f: (f.owner, f.path)),
        )
