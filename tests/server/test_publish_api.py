"""Published views and exports through the API: who may publish, unpublish and see the
state; the public page (no sign-in, a snapshot, sandboxed active outputs, sanitised
markdown, strict headers); what makes it 404; Download .html and .pdf."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cloudbook.settings import Settings
from tests.conftest import AppHarness

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
    "RU5ErkJggg=="
)


def notebook(marker: str = "first") -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "markdown",
                "id": "md",
                "metadata": {},
                "source": "# Results heading\n\n<img src=x onerror=\"alert('md')\"> done",
            },
            {
                "cell_type": "code",
                "id": "code",
                "metadata": {},
                "execution_count": 3,
                "source": f"print('{marker} run')",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": f"{marker} output line\n"},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<b>rich table</b><script>document.title='x'</script>",
                            "text/plain": "plain alternative",
                        },
                    },
                    {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG}},
                    {
                        "output_type": "error",
                        "ename": "ValueError",
                        "evalue": "bad",
                        "traceback": ["\x1b[0;31mValueError\x1b[0m: bad value here"],
                    },
                ],
            },
        ],
    }


@pytest.fixture
async def harness_factory(settings: Settings, database_url: str) -> AsyncIterator[Any]:
    """Like ``harness``, with settings changed first."""
    from cloudbook.server.app import create_app

    async with contextlib.AsyncExitStack() as stack:

        async def make(**changes: Any) -> AppHarness:
            changed = settings.model_copy(update={**changes, "database_url": database_url})
            app = create_app(changed, wait_ready=True)
            await stack.enter_async_context(app.router.lifespan_context(app))
            return AppHarness(app=app, settings=changed)

        yield make


async def test_who_may_publish_and_what_the_public_sees(harness: AppHarness) -> None:
    alice = await harness.user("alice")
    ed = await harness.user("ed")
    vic = await harness.user("vic")
    stranger = await harness.user("stranger")
    nb = (
        await alice.post("/api/notebooks", json={"name": "report.ipynb", "content": notebook()})
    ).json()
    base = f"/api/notebooks/{nb['id']}"
    for name, role in (("ed", "editor"), ("vic", "viewer")):
        assert (await alice.post(f"{base}/shares", json={"user": name, "role": role})).is_success
    r = await alice.post(f"{base}/comments", json={"cell_id": "code", "body": "private remark"})
    assert r.status_code == 201, r.text

    state = (await alice.get(f"{base}/publish")).json()
    assert state["published"] is False and state["url"] is None
    # Only the owner publishes; an editor sees the state; others get nothing; nothing changes.
    r = await ed.post(f"{base}/publish")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role")
    assert (await ed.get(f"{base}/publish")).json()["published"] is False
    r = await vic.get(f"{base}/publish")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden_role")
    assert (await stranger.post(f"{base}/publish")).status_code == 404
    assert (await alice.get(f"{base}/publish")).json()["published"] is False

    r = await alice.post(f"{base}/publish")
    assert r.status_code == 200, r.text
    state = r.json()
    path = state["path"]
    assert re.fullmatch(r"/p/[A-Za-z0-9_-]{32}", path), path
    assert state["url"] == f"http://testserver{path}"
    assert state["revision"] == state["current_revision"] == 1
    assert (await ed.get(f"{base}/publish")).json()["path"] == path

    async with harness.anonymous() as anon:
        page = await anon.get(path)
        assert page.status_code == 200, page.text
        html = page.text
        csp = page.headers["content-security-policy"]
        assert "sandbox allow-scripts" in csp and "allow-same-origin" not in csp
        assert "connect-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["cache-control"] == "no-store"
        assert "Results heading" in html and "first output line" in html
        assert "Published" in html and "alice" not in html  # the owner's login stays private
        assert f"data:image/png;base64,{PNG}" in html
        assert "ValueError: bad value here" in html and "\x1b" not in html
        # The active output is in a sandboxed frame, escaped into srcdoc, never in the page.
        assert 'sandbox="allow-scripts"' in html and "allow-same-origin" not in html
        assert "<b>rich table</b>" not in html and "&lt;b&gt;rich table&lt;/b&gt;" in html
        assert "onerror" not in html and "alert(" not in html
        assert "private remark" not in html  # comments are never published
        assert (await anon.get("/p/" + "A" * 32)).status_code == 404
        assert (await anon.get(base)).status_code == 401  # the notebook itself stays closed

        # A snapshot: a later save is not public until the owner republishes, same URL.
        got = (await alice.get(base)).json()
        r = await alice.put(base, json={"content": notebook("second"), "base_revision": 1})
        assert r.status_code == 200, r.text
        state = (await alice.get(f"{base}/publish")).json()
        assert (state["revision"], state["current_revision"]) == (got["revision"], 2)
        assert "first output line" in (await anon.get(path)).text
        again = (await alice.post(f"{base}/publish")).json()
        assert again["path"] == path and again["revision"] == 2
        html = (await anon.get(path)).text
        assert "second output line" in html and "first output line" not in html

        # Trash → 404; restored → back; owner disabled → 404.
        assert (await alice.delete(base)).status_code == 204
        assert (await anon.get(path)).status_code == 404
        item = (await alice.get("/api/trash")).json()["items"][0]["id"]
        assert (await alice.post(f"/api/trash/{item}/restore")).status_code == 200
        assert (await anon.get(path)).status_code == 200

        # Refused unpublish changes nothing; the owner's unpublish ends the URL for good.
        assert (await ed.delete(f"{base}/publish")).status_code == 403
        assert (await stranger.delete(f"{base}/publish")).status_code == 404
        assert (await anon.get(path)).status_code == 200
        assert (await alice.delete(f"{base}/publish")).status_code == 204
        gone = await anon.get(path)
        assert gone.status_code == 404 and "Not found" in gone.text
        assert (await alice.get(f"{base}/publish")).json()["published"] is False
        fresh = (await alice.post(f"{base}/publish")).json()["path"]
        assert fresh != path and (await anon.get(path)).status_code == 404
        assert (await anon.get(fresh)).status_code == 200


async def test_a_disabled_owner_and_a_deleted_notebook_publish_nothing(
    harness: AppHarness,
) -> None:
    from cloudbook.services.identity import UserInfo

    alice = await harness.user("alice")
    paths = []
    ids = []
    for name in ("kept.ipynb", "gone.ipynb"):
        nb = (await alice.post("/api/notebooks", json={"name": name, "content": notebook()})).json()
        ids.append(nb["id"])
        paths.append((await alice.post(f"/api/notebooks/{nb['id']}/publish")).json()["path"])
    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    root = UserInfo(id=10_000, name="root", is_admin=True)
    alice_id = (await services.users.get_by_name("alice")).id
    async with harness.anonymous() as anon:
        assert [(await anon.get(p)).status_code for p in paths] == [200, 200]
        # Deleted for good (Trash emptied): the publication goes with the notebook.
        assert (await alice.delete(f"/api/notebooks/{ids[1]}")).status_code == 204
        assert (await alice.delete("/api/trash")).status_code in (200, 204)
        assert [(await anon.get(p)).status_code for p in paths] == [200, 404]
        await services.admin.update(root, alice_id, disabled=True)
        assert (await anon.get(paths[0])).status_code == 404
        await services.admin.update(root, alice_id, disabled=False)
        assert (await anon.get(paths[0])).status_code == 200


async def test_exports_html_and_pdf(harness: AppHarness) -> None:
    from pypdf import PdfReader

    alice = await harness.user("alice")
    vic = await harness.user("vic")
    stranger = await harness.user("stranger")
    body = {"name": "dir/report.ipynb", "content": notebook()}
    assert (await alice.post("/api/folders", json={"path": "dir"})).status_code == 201
    nb = (await alice.post("/api/notebooks", json=body)).json()
    base = f"/api/notebooks/{nb['id']}"
    assert (await alice.post(f"{base}/shares", json={"user": "vic", "role": "viewer"})).is_success

    r = await vic.get(f"{base}/export/html")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''report.html"
    assert r.headers["content-type"].startswith("text/html")
    assert "sandbox allow-scripts" in r.headers["content-security-policy"]
    assert "first output line" in r.text and 'http-equiv="Content-Security-Policy"' in r.text
    assert (await stranger.get(f"{base}/export/html")).status_code == 404

    r = await vic.get(f"{base}/export/pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''report.pdf"
    assert r.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    # The active output prints as its static form (sanitised HTML: no script ran).
    for expected in ("Results heading", "first run", "first output line", "rich table"):
        assert expected in text, (expected, text)
    assert "ValueError: bad value here" in text
    assert (await stranger.get(f"{base}/export/pdf")).status_code == 404

    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    services.publishing.chromium = str(Path("/nonexistent/chromium"))
    r = await vic.get(f"{base}/export/pdf")
    assert (r.status_code, r.json()["error"]["code"]) == (503, "chromium_missing")
    assert "CLOUDBOOK_CHROMIUM" in r.json()["error"]["message"]
    r = await stranger.get(f"{base}/export/pdf")
    assert r.status_code == 404  # who asks is checked before anything else


@pytest.mark.parametrize("mode", ["signed-in", "off"])
async def test_publish_setting(harness_factory: Any, mode: str) -> None:
    harness = await harness_factory(publish=mode)
    alice = await harness.user("alice")
    body = {"name": "n.ipynb", "content": notebook()}
    nb = (await alice.post("/api/notebooks", json=body)).json()
    r = await alice.post(f"/api/notebooks/{nb['id']}/publish")
    if mode == "off":
        assert (r.status_code, r.json()["error"]["code"]) == (403, "publish_off")
        assert (await alice.get(f"/api/notebooks/{nb['id']}/publish")).json()["published"] is False
        return
    path = r.json()["path"]
    async with harness.anonymous() as anon:
        assert (await anon.get(path)).status_code == 404
    assert (await alice.get(path)).status_code == 200


class _Counter:
    """An HTTP server on loopback that counts the requests reaching it."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.hits: list[str] = []
        hits = self.hits

        class Counting(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


async def test_chromium_prints_with_no_network_even_without_the_csp() -> None:
    """The dead proxy alone (no CSP in this document) keeps Chromium from fetching,
    loopback included."""
    from cloudbook.export.pdf import html_to_pdf

    counter = _Counter()
    try:
        html = (
            f"<h1>x</h1><img src='http://127.0.0.1:{counter.port}/a.png'>"
            f"<link rel=stylesheet href='http://localhost:{counter.port}/b.css'>"
        )
        assert (await html_to_pdf(html, "chromium", 60)).startswith(b"%PDF")
    finally:
        counter.close()
    assert counter.hits == []


async def test_the_pdf_render_fetches_nothing(harness: AppHarness) -> None:
    """Chromium prints without network: an image the notebook points at (here a server on
    loopback that counts requests) is never fetched."""
    counter = _Counter()
    try:
        base = f"http://127.0.0.1:{counter.port}"
        content = notebook()
        content["cells"][0]["source"] = f"# Offline\n\n![t]({base}/md.png)"
        content["cells"][1]["outputs"].append(
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/html": f"<p>page</p><img src='{base}/out.png'>"},
            }
        )
        alice = await harness.user("alice")
        body = {"name": "o.ipynb", "content": content}
        nb = (await alice.post("/api/notebooks", json=body)).json()
        r = await alice.get(f"/api/notebooks/{nb['id']}/export/pdf")
        assert r.status_code == 200, r.text
        assert r.content.startswith(b"%PDF")
    finally:
        counter.close()
    assert counter.hits == []


async def test_publish_and_export_with_live_documents(harness_factory: Any) -> None:
    """With live documents on (the routes save an open document first), both still work."""
    harness = await harness_factory(live_documents=True)
    alice = await harness.user("alice")
    body = {"name": "live.ipynb", "content": notebook()}
    nb = (await alice.post("/api/notebooks", json=body)).json()
    base = f"/api/notebooks/{nb['id']}"
    r = await alice.post(f"{base}/publish")
    assert r.status_code == 200, r.text
    async with harness.anonymous() as anon:
        assert "first output line" in (await anon.get(r.json()["path"])).text
    r = await alice.get(f"{base}/export/html")
    assert r.status_code == 200 and "first output line" in r.text
