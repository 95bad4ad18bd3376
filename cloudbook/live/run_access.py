"""Who may run cells of a notebook, answer its questions and read its full outputs.

One function, so that sharing roles (editors run cells too) plug in here only. Today:
the owner. Anyone else gets the same 404 as for a notebook that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookInfo


async def check_may_run(services: Services, user: UserInfo, notebook_id: str) -> NotebookInfo:
    """The notebook, when ``user`` may run its cells; NotFound otherwise."""
    return await services.notebooks.get_info(user, notebook_id)
