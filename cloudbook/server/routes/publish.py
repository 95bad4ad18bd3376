"""Published views and exports: thin; the rules are in services/publishing.py."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from cloudbook.server.deps import CurrentUser, ServicesDep, app_state, authenticate
from cloudbook.server.live_io import flush_live
from cloudbook.services.errors import NotFound, ServiceError

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.publishing import PublishingService, PublishState

router = APIRouter(tags=["publish"])
NOT_PUBLISHED = """<!doctype html><meta charset="utf-8"><title>Not published</title>
<body style="font:15px system-ui,sans-serif;margin:48px auto;max-width:520px;color:#202124">
<h1 style="font-weight:500">Not found</h1><p>{message}</p>
<p>The notebook may have been unpublished or deleted.</p>"""


class PublishOut(BaseModel):
    published: bool
    # The public address (absolute; None while unpublished) and its path on this service.
    url: str | None = None
    path: str | None = None
    published_at: datetime | None = None
    revision: int | None = None  # the revision the published view shows
    current_revision: int  # the notebook's revision now: newer means "republish to show it"


def _publishing(s: Services) -> PublishingService:
    assert s.publishing is not None
    return s.publishing


def _out(request: Request, state: PublishState) -> PublishOut:
    base = app_state(request).settings.public_url
    root = base.rstrip("/") if base else str(request.base_url).rstrip("/")
    return PublishOut(
        published=state.published,
        url=root + state.url if state.url else None,
        path=state.url,
        published_at=state.published_at,
        revision=state.revision,
        current_revision=state.current_revision,
    )


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


@router.get("/api/notebooks/{notebook_id}/publish", response_model=PublishOut)
async def publish_state(
    notebook_id: str, request: Request, user: CurrentUser, s: ServicesDep
) -> PublishOut:
    return _out(request, await _publishing(s).state(user, notebook_id))


@router.post("/api/notebooks/{notebook_id}/publish", response_model=PublishOut)
async def publish(
    notebook_id: str, request: Request, user: CurrentUser, s: ServicesDep
) -> PublishOut:
    """Publish the notebook as saved now (owner only); again: update it at the same URL."""
    await flush_live(s, user, notebook_id, need="owner")
    return _out(request, await _publishing(s).publish(user, notebook_id))


@router.delete("/api/notebooks/{notebook_id}/publish", status_code=204)
async def unpublish(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    await _publishing(s).unpublish(user, notebook_id)
    return Response(status_code=204)


@router.get("/api/notebooks/{notebook_id}/export/html", response_class=Response)
async def export_html(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    """The notebook as one self-contained .html file (as published views show it)."""
    from cloudbook.export.page import csp_header

    await flush_live(s, user, notebook_id)
    leaf, html = await _publishing(s).export_html(user, notebook_id)
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={
            "content-disposition": _attachment(f"{leaf}.html"),
            "content-security-policy": csp_header(),
        },
    )


@router.get("/api/notebooks/{notebook_id}/export/pdf", response_class=Response)
async def export_pdf(notebook_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    """The notebook printed by headless Chromium (active outputs as their static form)."""
    await flush_live(s, user, notebook_id)
    leaf, data = await _publishing(s).export_pdf(user, notebook_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": _attachment(f"{leaf}.pdf")},
    )


@router.get("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
async def published_page(token: str, request: Request, s: ServicesDep) -> Response:
    """The published view: public (no sign-in) unless CLOUDBOOK_PUBLISH=signed-in."""
    from cloudbook.export.page import csp_header

    signed_in = False
    if request.cookies or request.headers.get("authorization"):
        try:
            await authenticate(request, unsafe=False)
            signed_in = True
        except ServiceError:
            signed_in = False
    try:
        html = await _publishing(s).page(token, signed_in=signed_in)
        status = 200
    except NotFound as exc:
        html, status = NOT_PUBLISHED.format(message=exc.message), 404
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "content-security-policy": csp_header(),
            "cache-control": "no-store",
            "x-robots-tag": "noindex, nofollow",
        },
    )
