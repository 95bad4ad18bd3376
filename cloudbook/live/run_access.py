"""Who may run cells of a notebook, answer its questions and read its full outputs.

One function: running is editing, so it asks the live document's rule
(cloudbook.live.access: the owner and editors). Each person's cells run in a runtime of
their own (the session routes attach the caller's), never in the owner's.
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
    # 404 to one who cannot see the notebook, 403 forbidden_role to a viewer or commenter.
    await services.notebooks.get_info(user, notebook_id, need="editor")
    access = await services.notebooks.access_of(notebook_id)
    if access is None or not await may_edit_live(services.access, user, notebook_id):
        raise NotFound("No such notebook.", code="no_such_notebook")
    return access
