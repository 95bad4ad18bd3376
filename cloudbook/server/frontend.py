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


def _plotly_js() -> Path | None:
    """plotly.js as the service's own plotly package ships it (docs/architecture.md, colabnb)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@router.get("/vendor/plotly.min.js")
async def plotly_js() -> Response:
    # Output frames load this in place of cdn.plot.ly (Colab's plotly renderer points
    # there), so figures draw on a machine without internet. Public like /static.
    path = _plotly_js()
    if path is None:
        return Response("plotly is not installed in the service", status_code=404)
    return FileResponse(
        path, media_type="text/javascript", headers={"cache-control": "public, max-age=86400"}
    )


def mount_static(app: FastAPI) -> None:
    from starlette.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
