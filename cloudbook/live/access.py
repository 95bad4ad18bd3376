"""Who may join a notebook's live document.

Joining means editing: the y-websocket protocol carries edits both ways. Editors and the
owner may (sharing roles, cloudbook.services.access); viewers and commenters read the
notebook through the REST API instead.
"""

from __future__ import annotations

from cloudbook.services.access import AccessService
from cloudbook.services.identity import UserInfo


async def may_edit_live(access: AccessService, user: UserInfo, notebook_id: str) -> bool:
    return await access.can_edit(user, notebook_id)
