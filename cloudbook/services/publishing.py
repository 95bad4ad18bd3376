"""Published views ("Publish to the web") and exports (.html, .pdf) of a notebook.

- Only the owner publishes, republishes and unpublishes (publishing is the widest share
  there is, and only owners share); editors see whether and where it is published.
- A publication is a snapshot: the notebook as saved when (re)published, kept in the
  store. Later edits stay private until the owner republishes, at the same URL.
- The URL carries a random token (192 bits) that stays the same across republishes;
  unpublishing deletes it, so a later publish gets a new URL.
- The view answers 404 once the notebook is unpublished, in the Trash or deleted, or its
  owner is disabled, and whenever ``Settings.publish`` is "off".
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from cloudbook.export.page import render_page
from cloudbook.services.clock import as_utc, utcnow
from cloudbook.services.errors import Forbidden, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.store.models import Notebook, Publication, User

if TYPE_CHECKING:
    from cloudbook.services.notebooks import NotebookService
    from cloudbook.settings import Settings

PUBLIC_PREFIX = "/p/"
_CACHE_BYTES = 64 * 1024 * 1024  # rendered pages kept in memory, newest used first


@dataclass(frozen=True)
class PublishState:
    published: bool
    url: str | None = None  # path on this service, e.g. /p/<token>
    published_at: datetime | None = None
    revision: int | None = None  # the notebook's revision the view shows
    current_revision: int = 0  # the notebook's revision now (newer: republish to show it)


def no_such_publication() -> NotFound:
    return NotFound("Nothing is published at this address.", code="not_published")


class PublishingService:
    def __init__(self, notebooks: NotebookService, settings: Settings) -> None:
        self.notebooks = notebooks
        self.db = notebooks.db
        self.mode = settings.publish
        self.chromium = settings.chromium
        self.pdf_timeout = settings.pdf_timeout
        self._pdfs = asyncio.Semaphore(2)
        # (token, published_at) → page: a republish changes the key.
        self._pages: OrderedDict[tuple[str, datetime], str] = OrderedDict()
        self._cached = 0  # characters in _pages

    # --- the owner's controls ---------------------------------------------------------

    async def state(self, user: UserInfo, notebook_id: str) -> PublishState:
        async with self.db.session() as s:
            nb, _ = await self.notebooks.access.require(s, user, notebook_id, "editor")
            pub = await s.get(Publication, nb.id)
            return _state(pub, nb.revision)

    async def publish(self, user: UserInfo, notebook_id: str) -> PublishState:
        if self.mode == "off":
            raise Forbidden("Publishing is turned off on this service.", code="publish_off")
        await self.notebooks.get_info(user, notebook_id, need="owner")  # 404/403 first
        info, content = await self.notebooks.get(user, notebook_id, mark_opened=False, need="owner")
        packed = await asyncio.to_thread(_pack, content)
        async with self.db.session() as s:
            nb, _ = await self.notebooks.access.require(s, user, notebook_id, "owner")
            pub = await s.get(Publication, nb.id)
            if pub is None:
                pub = Publication(notebook_id=nb.id, token=secrets.token_urlsafe(24))
                s.add(pub)
            pub.published_by = user.id
            pub.published_at = utcnow()
            pub.revision = info.revision
            pub.name = info.name
            pub.content = packed
            await s.commit()
            return _state(pub, nb.revision)

    async def unpublish(self, user: UserInfo, notebook_id: str) -> None:
        async with self.db.session() as s:
            nb, _ = await self.notebooks.access.require(s, user, notebook_id, "owner")
            await s.execute(delete(Publication).where(Publication.notebook_id == nb.id))
            await s.commit()

    # --- the public view ---------------------------------------------------------------

    async def page(self, token: str, *, signed_in: bool) -> str:
        """The published page for ``token``; 404 unless it is published and visible now."""
        if self.mode == "off" or (self.mode == "signed-in" and not signed_in):
            raise no_such_publication()
        if not 16 <= len(token) <= 64:
            raise no_such_publication()
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(Publication, Notebook.trash_item_id, User.disabled)
                    .join(Notebook, Notebook.id == Publication.notebook_id)
                    .join(User, User.id == Notebook.owner_id)
                    .where(Publication.token == token)
                )
            ).first()
        if row is None:
            raise no_such_publication()
        pub, trashed, disabled = row
        if trashed is not None or disabled:
            raise no_such_publication()
        key = (token, as_utc(pub.published_at))
        cached = self._pages.get(key)
        if cached is not None:
            self._pages.move_to_end(key)
            return cached
        content = await asyncio.to_thread(_unpack, pub.content)
        html = await asyncio.to_thread(
            render_page, pub.name, content, note="Published", when=key[1]
        )
        self._pages[key] = html
        self._cached += len(html)
        while self._cached > _CACHE_BYTES and len(self._pages) > 1:
            self._cached -= len(self._pages.popitem(last=False)[1])
        return html

    # --- exports -------------------------------------------------------------------------

    async def export_html(
        self, user: UserInfo, notebook_id: str, *, static: bool = False
    ) -> tuple[str, str]:
        """(file name without extension, the self-contained HTML) of the saved notebook."""
        info, content = await self.notebooks.get(
            user, notebook_id, mark_opened=False, need="viewer"
        )
        html = await asyncio.to_thread(render_page, info.name, content, static=static)
        leaf = info.name.rsplit("/", 1)[-1].removesuffix(".ipynb") or "notebook"
        return leaf, html

    async def export_pdf(self, user: UserInfo, notebook_id: str) -> tuple[str, bytes]:
        from cloudbook.export.pdf import chromium_path, html_to_pdf

        await self.notebooks.get_info(user, notebook_id, need="viewer")  # 404 first
        chromium_path(self.chromium)  # then 503 before any work when there is no Chromium
        leaf, html = await self.export_html(user, notebook_id, static=True)
        async with self._pdfs:
            return leaf, await html_to_pdf(html, self.chromium, self.pdf_timeout)


def _state(pub: Publication | None, current: int) -> PublishState:
    if pub is None:
        return PublishState(published=False, current_revision=current)
    return PublishState(
        published=True,
        url=PUBLIC_PREFIX + pub.token,
        published_at=as_utc(pub.published_at),
        revision=pub.revision,
        current_revision=current,
    )


def _pack(content: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(content, ensure_ascii=False).encode(), 6)


def _unpack(data: bytes) -> dict[str, Any]:
    value = json.loads(zlib.decompress(data))
    return value if isinstance(value, dict) else {}
