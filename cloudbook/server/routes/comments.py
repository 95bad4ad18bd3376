"""Comments on cells (docs/sharing.md); the rules are in services/comments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from cloudbook.server.deps import CurrentUser, ServicesDep

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.comments import ThreadInfo
    from cloudbook.services.identity import UserInfo

router = APIRouter(tags=["comments"])


class CommentOut(BaseModel):
    id: str
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    mentions: list[str]


class ThreadOut(BaseModel):
    id: str
    cell_id: str
    quote: str | None
    resolved: bool
    comments: list[CommentOut]


class ThreadList(BaseModel):
    threads: list[ThreadOut]


class NewComment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=20_000)
    cell_id: str | None = Field(default=None, min_length=1, max_length=64)
    quote: str | None = Field(default=None, max_length=2_000)
    thread_id: str | None = Field(default=None, max_length=36)


class ChangeComment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str | None = Field(default=None, max_length=20_000)
    resolved: bool | None = None


def thread_out(thread: ThreadInfo) -> ThreadOut:
    return ThreadOut(
        id=thread.id,
        cell_id=thread.cell_id,
        quote=thread.quote,
        resolved=thread.resolved,
        comments=[CommentOut(**c.__dict__) for c in thread.comments],
    )


@router.get("/api/notebooks/{notebook_id}/comments", response_model=ThreadList)
async def list_comments(notebook_id: str, user: CurrentUser, s: ServicesDep) -> ThreadList:
    return ThreadList(threads=[thread_out(t) for t in await s.comments.threads(user, notebook_id)])


@router.post("/api/notebooks/{notebook_id}/comments", status_code=201, response_model=ThreadOut)
async def add_comment(
    notebook_id: str, body: NewComment, user: CurrentUser, s: ServicesDep
) -> ThreadOut:
    """A new thread (``cell_id``, optional ``quote``) or a reply (``thread_id``)."""
    thread = await s.comments.add(
        user,
        notebook_id,
        body=body.body,
        cell_id=body.cell_id,
        quote=body.quote,
        thread_id=body.thread_id,
    )
    return thread_out(thread)


@router.patch("/api/comments/{comment_id}", response_model=ThreadOut)
async def change_comment(
    comment_id: str, body: ChangeComment, user: CurrentUser, s: ServicesDep
) -> ThreadOut:
    thread = await s.comments.change(user, comment_id, body=body.body, resolved=body.resolved)
    return thread_out(thread)


@router.delete("/api/comments/{comment_id}", status_code=204)
async def delete_comment(comment_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.comments.delete(user, comment_id)
    return Response(status_code=204)


async def with_comments(s: Services, user: UserInfo, notebook_id: str, raw: bytes) -> bytes:
    """The notebook file with its threads under metadata.cloudbook.comments."""
    import json

    found = await s.comments.threads(user, notebook_id)
    threads = [thread_out(t).model_dump(mode="json") for t in found]
    content = json.loads(raw)
    metadata = content.setdefault("metadata", {})
    metadata.setdefault("cloudbook", {})["comments"] = threads
    return json.dumps(content, indent=1, ensure_ascii=False).encode() + b"\n"
