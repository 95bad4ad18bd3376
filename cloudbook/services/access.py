"""Who may do what with a notebook or a folder: the one place that answers it.

Roles, weakest first: viewer < commenter < editor < owner. A user's role on a notebook is
the strongest of: owning it; a share of the notebook to them; a share of a folder above it
to them; "general access" (anyone signed in who has the link) of the notebook or of a
folder above it. Sharing itself is in ``cloudbook.services.shares``; this module only reads.

A caller who cannot even view gets 404 ``no_such_notebook`` (the id reveals nothing); one
who can view but lacks the role gets 403 ``forbidden_role``.

Watches: a long-lived connection on a notebook (the kernel WebSocket, the page's watch
socket, later the live document) registers ``watch(user, notebook_id, need, on_lost)``;
after every change of access the service checks each watch on that owner's notebooks
again and calls ``on_lost`` (once) for those whose role fell below ``need``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.services.errors import Forbidden, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import Notebook, Share

log = logging.getLogger("cloudbook.access")

Role = Literal["viewer", "commenter", "editor", "owner"]
ShareRole = Literal["viewer", "commenter", "editor"]
RANK: dict[str, int] = {"viewer": 1, "commenter": 2, "editor": 3, "owner": 4}
SHARE_ROLES: tuple[ShareRole, ...] = ("viewer", "commenter", "editor")


def at_least(role: str | None, need: Role) -> bool:
    return role is not None and RANK.get(role, 0) >= RANK[need]


def folders_above(path: str) -> list[str]:
    """Every folder that holds ``path`` ("a/b/c.ipynb" → ["a", "a/b"])."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass(frozen=True)
class FolderRef:
    """A folder of ``owner_id``'s drive."""

    owner_id: int
    path: str


@dataclass(eq=False)
class AccessWatch:
    user_id: int
    owner_id: int
    notebook_id: str
    need: Role
    on_lost: Callable[[], Awaitable[None]]
    done: bool = field(default=False)


def no_such_notebook() -> NotFound:
    return NotFound("No such notebook.", code="no_such_notebook")


def forbidden_role(need: Role) -> Forbidden:
    return Forbidden(f"This needs the {need} role on the notebook.", code="forbidden_role")


def is_uuid(value: str) -> bool:
    """Ids are UUIDs: anything else is not found without asking the store."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class AccessService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._watches: set[AccessWatch] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- what a user may do -------------------------------------------------------

    async def role_in(self, s: AsyncSession, user: UserInfo, nb: Notebook) -> Role | None:
        """``user``'s role on a live notebook row (None: cannot even see it)."""
        if nb.trash_item_id is not None:
            return None
        if nb.owner_id == user.id:
            return "owner"
        return await self._shared_role(s, user.id, nb.owner_id, "notebook", nb.id, nb.path)

    async def _shared_role(
        self,
        s: AsyncSession,
        user_id: int,
        owner_id: int,
        kind: str,
        target: str,
        path: str,
    ) -> Role | None:
        matches = [and_(Share.kind == kind, Share.target == target)]
        above = folders_above(path) if kind == "notebook" else [*folders_above(path + "/x")]
        if above:
            matches.append(and_(Share.kind == "folder", Share.target.in_(above)))
        rows = await s.execute(
            select(Share.role).where(
                Share.owner_id == owner_id,
                or_(Share.user_id == user_id, Share.user_id.is_(None)),
                or_(*matches),
            )
        )
        best: Role | None = None
        for (role,) in rows.all():
            for known in SHARE_ROLES:
                if role == known and RANK[known] > RANK.get(best or "", 0):
                    best = known
        return best

    async def role_of(self, user: UserInfo, item: str | FolderRef) -> Role | None:
        """``user``'s role on a notebook (by id) or a folder; None: no access at all."""
        async with self.db.session() as s:
            if isinstance(item, FolderRef):
                if item.owner_id == user.id:
                    return "owner"
                return await self._shared_role(
                    s, user.id, item.owner_id, "folder", item.path, item.path
                )
            nb = await s.get(Notebook, item) if is_uuid(item) else None
            return None if nb is None else await self.role_in(s, user, nb)

    async def can_view(self, user: UserInfo, notebook_id: str) -> bool:
        return at_least(await self.role_of(user, notebook_id), "viewer")

    async def can_comment(self, user: UserInfo, notebook_id: str) -> bool:
        return at_least(await self.role_of(user, notebook_id), "commenter")

    async def can_edit(self, user: UserInfo, notebook_id: str) -> bool:
        """The check of the live document: may ``user`` change this notebook now?"""
        return at_least(await self.role_of(user, notebook_id), "editor")

    async def can_run(self, user: UserInfo, notebook_id: str) -> bool:
        """Run in the notebook itself (viewers run only a playground copy)."""
        return at_least(await self.role_of(user, notebook_id), "editor")

    async def require(
        self, s: AsyncSession, user: UserInfo, notebook_id: str, need: Role
    ) -> tuple[Notebook, Role]:
        """The notebook row and the caller's role, or 404 (cannot see) / 403 (lacks ``need``)."""
        nb = await s.get(Notebook, notebook_id) if is_uuid(notebook_id) else None
        role = None if nb is None else await self.role_in(s, user, nb)
        if nb is None or role is None:
            raise no_such_notebook()
        if not at_least(role, need):
            raise forbidden_role(need)
        return nb, role

    async def check(self, user: UserInfo, notebook_id: str, need: Role) -> Role:
        async with self.db.session() as s:
            return (await self.require(s, user, notebook_id, need))[1]

    # --- watches ------------------------------------------------------------------

    async def watch(
        self,
        user: UserInfo,
        notebook_id: str,
        need: Role,
        on_lost: Callable[[], Awaitable[None]],
    ) -> Callable[[], None]:
        """Call ``on_lost`` once when ``user``'s role on the notebook falls below ``need``.
        Raises as ``require`` does when it is below already; returns the unsubscribe."""
        async with self.db.session() as s:
            nb, _ = await self.require(s, user, notebook_id, need)
            watch = AccessWatch(user.id, nb.owner_id, notebook_id, need, on_lost)
        self._watches.add(watch)

        def stop() -> None:
            watch.done = True
            self._watches.discard(watch)

        return stop

    async def changed(self, owner_id: int) -> None:
        """Access to some of ``owner_id``'s notebooks changed: check their watches again."""
        for watch in [w for w in self._watches if w.owner_id == owner_id]:
            if watch.done:
                continue
            user = UserInfo(id=watch.user_id, name="", is_admin=False)
            async with self.db.session() as s:
                nb = await s.get(Notebook, watch.notebook_id)
                role = None if nb is None else await self.role_in(s, user, nb)
            if nb is not None and nb.owner_id != watch.owner_id and role is not None:
                watch.owner_id = nb.owner_id  # ownership moved: follow the new owner's changes
            if at_least(role, watch.need):
                continue
            self._end(watch)

    def user_disabled(self, user_id: int) -> None:
        """A disabled account: every connection it holds open closes (as on lost access)."""
        for watch in [w for w in self._watches if w.user_id == user_id and not w.done]:
            self._end(watch)

    def _end(self, watch: AccessWatch) -> None:
        watch.done = True
        self._watches.discard(watch)
        task = asyncio.create_task(self._lost(watch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _lost(self, watch: AccessWatch) -> None:
        try:
            await watch.on_lost()
        except Exception:
            log.exception("closing a connection whose access was removed failed")

    def watching(self, notebook_id: str) -> int:
        return sum(1 for w in self._watches if w.notebook_id == notebook_id)
