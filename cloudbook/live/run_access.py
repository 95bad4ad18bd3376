"""Who may run cells of a notebook, answer its questions and read its full outputs.

One function, so that sharing roles (editors run cells too) plug in here only: running
is editing, so it asks the live document's rule (cloudbook.live.access). Anyone else gets
the same 404 as for a notebook that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudbook.live.access import may_edit_live
from cloudbook.services.errors import NotFound

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookAccess


async def check_may_run(services: Services, user: UserInfo, notebook_id: str) -> NotebookAccess:
    """The notebook, when ``user`` may run its cells; NotFound otherwise."""
    access = await services.notebooks.access_of(notebook_id)
    if access is None or not may_edit_live(user, access):
        raise NotFound("No such notebook.", code="no_such_notebook")
    return access
