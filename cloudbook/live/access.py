"""Who may join a notebook's live document.

Joining means editing: the y-websocket protocol carries edits both ways. Today only the
owner may; sharing roles (editor) plug in here, and only here.
"""

from __future__ import annotations

from cloudbook.services.identity import UserInfo
from cloudbook.services.notebooks import NotebookAccess


def may_edit_live(user: UserInfo, notebook: NotebookAccess) -> bool:
    return notebook.owner_id == user.id
