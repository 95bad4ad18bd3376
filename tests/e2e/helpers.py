"""Shared steps of browser tests."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import Served


def log_in(page: Page, served: Served) -> None:
    page.goto(served.base + "/")
    page.get_by_label("User name").fill(served.user)
    page.get_by_label("Password").fill(served.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_test_id("new-notebook").wait_for()


def code_cell(source: str, **metadata: Any) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "source": source,
        "metadata": metadata,
        "outputs": [],
        "execution_count": None,
    }


def create_notebook(page: Page, name: str, cells: list[dict[str, Any]]) -> str:
    """Create a notebook through the API with the page's session, as the app does."""
    content = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}
    return store_notebook(page, name, content)


def store_notebook(page: Page, name: str, content: dict[str, Any]) -> str:
    """Store a whole .ipynb (metadata and outputs as saved elsewhere) as a new notebook."""
    result = page.evaluate(
        """async ([name, content]) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/notebooks', {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({name, content})});
            return await r.json();
        }""",
        [name, content],
    )
    assert "id" in result, result
    return str(result["id"])


def fetch_notebook(page: Page, notebook_id: str) -> dict[str, Any]:
    text = page.evaluate(
        "async (id) => await (await fetch('/api/notebooks/' + id)).text()", notebook_id
    )
    return dict(json.loads(text))


def cell_code(page: Page, index: int) -> str:
    lines = page.get_by_test_id("cell").nth(index).locator(".cm-line").all_inner_texts()
    return "\n".join(lines)


def serve_against_git_bridge(
    bridge_base: str,
    monkeypatch: Any,
    request: Any,
    api_path: str = "/api",
    kind: str = "github",
) -> Served:
    """The served app talking to a loopback git bridge (tests/github/bridge.py): git at
    ``{bridge}/git``, the REST fake of ``kind`` at ``{bridge}{api_path}``."""
    monkeypatch.setenv("CLOUDBOOK_GIT_BASE_URL", f"{bridge_base}/git")
    monkeypatch.setenv("CLOUDBOOK_GIT_API_URL", f"{bridge_base}{api_path}")
    monkeypatch.setenv("CLOUDBOOK_GIT_HOST_KIND", kind)
    monkeypatch.setenv("CLOUDBOOK_GIT_ALLOW_HTTP", "true")
    server: Served = request.getfixturevalue("cloudbook_server")
    return server
