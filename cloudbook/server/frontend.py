"""The built single-page app: index.html for app routes, assets under /static."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from cloudbook.images.store import ImageStore
from cloudbook.server.deps import app_state

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


# Notebook ids as the service makes them: put in a header as they are, and the URL is the
# one the page asks (its encodeURIComponent leaves these characters alone).
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


@router.get("/notebooks/{notebook_id}")
async def notebook_page(notebook_id: str) -> Response:
    response = _index()
    if response.status_code == 200 and _PLAIN_ID.fullmatch(notebook_id):
        # The page's biggest request (5 MB for 500 cells) starts with the HTML instead of
        # after the app's script loaded and ran (~0.3 s); the page's own GET of the same
        # URL (same-origin credentials) takes the preloaded response.
        response.headers["link"] = (
            f"</api/notebooks/{notebook_id}>; rel=preload; as=fetch; crossorigin"
        )
    return response


@router.get("/admin")
async def admin_page() -> Response:
    return _index()  # the page asks /api/admin/*, which refuses anyone but admins


@router.get("/github/{path:path}")
async def github_page(path: str) -> Response:
    return _index()


_PLOTLY_JS = Path("plotly") / "package_data" / "plotly.min.js"
_VERSION = re.compile(rb"plotly\.js v(\d+\.\d+\.\d+)")


def _service_plotly_js() -> Path | None:
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).parent / _PLOTLY_JS
    return path if path.is_file() else None


@functools.lru_cache(maxsize=64)
def _version_of(path: Path, mtime: float) -> str | None:
    with path.open("rb") as f:
        found = _VERSION.search(f.read(200))
    return found.group(1).decode() if found else None


def plotly_js_path(images_dir: Path, version: str | None) -> Path | None:
    """The plotly.js of that version from the service or a built image (a runtime's
    plotly pins the plotly.js it was made for), else the service's own."""
    own = _service_plotly_js()
    if version:
        store = ImageStore(images_dir)
        candidates = [own] if own else []
        for name in store.names():
            image = store.current(name)
            if image is not None:
                candidates += sorted(image.path.glob(f"lib/python*/site-packages/{_PLOTLY_JS}"))
        for path in candidates:
            if _version_of(path, path.stat().st_mtime) == version:
                return path
    return own


@router.get("/vendor/plotly.min.js")
async def plotly_js(request: Request, v: str | None = None) -> Response:
    # Output frames load this in place of cdn.plot.ly (Colab's plotly renderer points
    # there), so figures draw on a machine without internet. Public like /static.
    images_dir = app_state(request).settings.images_dir
    path = await asyncio.to_thread(plotly_js_path, images_dir, v)
    if path is None:
        return Response("plotly is not installed in the service", status_code=404)
    return FileResponse(
        path, media_type="text/javascript", headers={"cache-control": "public, max-age=86400"}
    )


def mount_static(app: FastAPI) -> None:
    from starlette.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
