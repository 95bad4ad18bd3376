"""Routes that read or write a notebook's file while it may be open as a live document.

The live document is the truth while a notebook is open; its file lags it by the save
delay (docs/live.md). A route that acts on the file's content (a copy, an export, a save
to a git host, the revision list) first brings the file up to date (`flush_live`); one
that writes the file goes through the document (`write_through_live`), so the document's
next save does not write over it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.access import Role
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookInfo


async def flush_live(s: Services, user: UserInfo, notebook_id: str, need: Role = "viewer") -> None:
    """Save the open document's pending edits, so the file holds what pages show. The
    role check comes first: a caller who may not read the notebook gets its 404/403
    without touching the document."""
    if s.live is None or s.live.get_open(notebook_id) is None:
        return
    await s.notebooks.get_info(user, notebook_id, need=need)
    await s.live.flush(notebook_id)


async def write_through_live(
    s: Services, user: UserInfo, notebook_id: str, write: Callable[[], Awaitable[NotebookInfo]]
) -> NotebookInfo:
    """Run `write` (which writes the file) through the open document: its pending edits
    are saved first, and it takes the written content (`LiveDocument.replace`)."""
    doc = s.live.get_open(notebook_id) if s.live is not None else None
    if doc is None:
        return await write()
    # 404/403 before touching the document (the write checks its own role too).
    await s.notebooks.get_info(user, notebook_id, need="editor")
    return await doc.replace(write)
