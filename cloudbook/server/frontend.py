"""The built single-page app: index.html for app routes, assets under /static."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>cloudbook</title>
<h1>The cloudbook frontend is not built</h1>
<p>Install the package with <code>pip install .</code> (it builds the frontend), or run
<code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code>.</p>"""

router = APIRouter(include_in_schema=False)


def _index() -> Response:
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        return HTMLResponse(NOT_BUILT, status_code=500)
    return FileResponse(index, headers={"cache-control": "no-cache"})


@router.get("/")
async def home() -> Response:
    return _index()


@router.get("/notebooks/{notebook_id}")
async def notebook_page(notebook_id: str) -> Response:
    return _index()


@router.get("/admin")
async def admin_page() -> Response:
    return _index()  # the page asks /api/admin/*, which refuses anyone but admins


@router.get("/github/{path:path}")
async def github_page(path: str) -> Response:
    return _index()


def mount_static(app: FastAPI) -> None:
    from starlette.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
