"""Comments on cells: threads with replies, resolve/reopen, @mentions.

Kept in the store beside the notebook, never in the .ipynb (a download carries them only
when asked). Viewers read them; commenters, editors and the owner write; a comment's text
is changed by its author only; its author or the notebook's owner deletes it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cloudbook.services.access import AccessService, at_least, forbidden_role, is_uuid
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Forbidden, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.store.database import Database
from cloudbook.store.models import Comment, Notebook, User

MAX_BODY = 10_000
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.-]{1,64})")


@dataclass(frozen=True)
class CommentInfo:
    id: str
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    mentions: list[str]


@dataclass
class ThreadInfo:
    id: str
    cell_id: str
    quote: str | None
    resolved: bool
    comments: list[CommentInfo] = field(default_factory=list)


def _no_comment() -> NotFound:
    return NotFound("No such comment.", code="no_such_comment")


def _body(text: str) -> str:
    clean = text.strip()
    if not clean:
        raise InvalidInput("Write something first.", code="empty_comment")
    if len(clean) > MAX_BODY:
        raise InvalidInput(f"A comment holds at most {MAX_BODY} characters.", code="too_long")
    return clean


class CommentService:
    def __init__(self, db: Database, access: AccessService) -> None:
        self.db = db
        self.access = access

    async def _mentions(self, s: AsyncSession, nb: Notebook, body: str) -> list[str]:
        """Names after @ that belong to people who can see the notebook."""
        names = sorted(set(MENTION.findall(body)))
        if not names:
            return []
        rows = (await s.execute(select(User).where(User.name.in_(names)))).scalars().all()
        found = []
        for row in rows:
            person = UserInfo(id=row.id, name=row.name, is_admin=False)
            if at_least(await self.access.role_in(s, person, nb), "viewer"):
                found.append(row.name)
        return sorted(found)

    async def threads(self, user: UserInfo, notebook_id: str) -> list[ThreadInfo]:
        async with self.db.session() as s:
            nb, _ = await self.access.require(s, user, notebook_id, "viewer")
            rows = (
                await s.execute(
                    select(Comment, User.name)
                    .outerjoin(User, User.id == Comment.author_id)
                    .where(Comment.notebook_id == notebook_id)
                    .order_by(Comment.created_at, Comment.id)
                )
            ).all()
            threads: dict[str, ThreadInfo] = {}
            for comment, author in rows:
                if comment.id == comment.thread_id:
                    threads[comment.id] = ThreadInfo(
                        comment.id, comment.cell_id, comment.quote, comment.resolved
                    )
                thread = threads.get(comment.thread_id)
                if thread is not None:
                    thread.comments.append(
                        CommentInfo(
                            id=comment.id,
                            author=author,
                            body=comment.body,
                            created_at=as_utc(comment.created_at),
                            updated_at=as_utc(comment.updated_at),
                            mentions=await self._mentions(s, nb, comment.body),
                        )
                    )
        return list(threads.values())

    async def add(
        self,
        user: UserInfo,
        notebook_id: str,
        *,
        body: str,
        cell_id: str | None = None,
        quote: str | None = None,
        thread_id: str | None = None,
    ) -> ThreadInfo:
        """A new thread on ``cell_id`` (about ``quote`` in it), or a reply to ``thread_id``."""
        text = _body(body)
        async with self.db.session() as s:
            nb, _ = await self.access.require(s, user, notebook_id, "commenter")
            if thread_id is not None:
                root = await s.get(Comment, thread_id)
                if root is None or root.notebook_id != nb.id or root.thread_id != root.id:
                    raise NotFound("No such thread.", code="no_such_thread")
                cell, excerpt, thread = root.cell_id, root.quote, root.id
                root.resolved = False  # a reply reopens, as on Docs
            else:
                if not cell_id:
                    raise InvalidInput("Name the cell (cell_id).", code="invalid_comment")
                cell, excerpt = cell_id, quote
                thread = ""
            now = utcnow()
            comment_id = str(uuid.uuid4())
            s.add(
                Comment(
                    id=comment_id,
                    notebook_id=nb.id,
                    thread_id=thread or comment_id,
                    cell_id=cell,
                    quote=excerpt,
                    author_id=user.id,
                    body=text,
                    resolved=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            await s.commit()
            thread = thread or comment_id
        return await self._thread(user, notebook_id, thread)

    async def _thread(self, user: UserInfo, notebook_id: str, thread_id: str) -> ThreadInfo:
        for thread in await self.threads(user, notebook_id):
            if thread.id == thread_id:
                return thread
        raise _no_comment()

    async def _find(self, s: AsyncSession, user: UserInfo, comment_id: str) -> tuple[Comment, str]:
        """The comment and the caller's role on its notebook; 404 unless they can see it."""
        if not is_uuid(comment_id):
            raise _no_comment()
        comment = await s.get(Comment, comment_id)
        nb = None if comment is None else await s.get(Notebook, comment.notebook_id)
        role = None if nb is None else await self.access.role_in(s, user, nb)
        if comment is None or role is None:
            raise _no_comment()
        return comment, role

    async def change(
        self,
        user: UserInfo,
        comment_id: str,
        *,
        body: str | None = None,
        resolved: bool | None = None,
    ) -> ThreadInfo:
        """Edit the text (its author) or resolve/reopen its thread (any commenter)."""
        text = None if body is None else _body(body)
        async with self.db.session() as s:
            comment, role = await self._find(s, user, comment_id)
            if not at_least(role, "commenter"):
                raise forbidden_role("commenter")
            if text is not None:
                if comment.author_id != user.id:
                    raise Forbidden("Only its author edits a comment.", code="not_author")
                comment.body = text
                comment.updated_at = utcnow()
            if resolved is not None:
                root = await s.get(Comment, comment.thread_id)
                if root is not None:
                    root.resolved = resolved
            notebook_id, thread_id = comment.notebook_id, comment.thread_id
            await s.commit()
        return await self._thread(user, notebook_id, thread_id)

    async def delete(self, user: UserInfo, comment_id: str) -> None:
        """Its author (still a commenter) or the owner; the first comment takes its thread."""
        async with self.db.session() as s:
            comment, role = await self._find(s, user, comment_id)
            if not at_least(role, "commenter"):
                raise forbidden_role("commenter")
            if role != "owner" and comment.author_id != user.id:
                raise Forbidden(
                    "Only its author or the owner deletes a comment.", code="not_author"
                )
            if comment.id == comment.thread_id:
                await s.execute(delete(Comment).where(Comment.thread_id == comment.id))
            else:
                await s.delete(comment)
            await s.commit()
