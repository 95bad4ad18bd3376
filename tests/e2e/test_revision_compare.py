"""The history panel compares any two revisions, not only one with the newest."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, fetch_notebook, log_in, store_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SCREENSHOT = "/tmp/cloudbook-revision-compare.png"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1"}


def _content(sources: list[str]) -> dict[str, Any]:
    cells = [{**code_cell(s), "id": f"c{i}"} for i, s in enumerate(sources)]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def _put(page: Page, nb_id: str, sources: list[str], base: int) -> int:
    result = page.evaluate(
        """async ([id, body]) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/notebooks/' + id, {method: 'PUT',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify(body)});
            return await r.json();
        }""",
        [nb_id, {"content": _content(sources), "base_revision": base}],
    )
    assert "revision" in result, result
    return int(result["revision"])


def test_two_older_revisions_show_exactly_the_cell_changed_between_them(
    page: Page, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = store_notebook(page, "history.ipynb", _content(["a = 1", "b = 2", "c = 3"]))
    created = int(fetch_notebook(page, nb_id)["revision"])
    first = _put(page, nb_id, ["a = 10", "b = 2", "c = 3"], created)
    second = _put(page, nb_id, ["a = 10", "b = 20\nprint(b)", "c = 3"], first)
    _put(page, nb_id, ["a = 10", "b = 20\nprint(b)", "c = 30"], second)  # the newest

    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    page.get_by_test_id("sidebar-revisions").click()
    page.locator(f"[data-testid=revision][data-revision='{second}']").click()
    preview = page.get_by_test_id("revision-preview")
    preview.get_by_test_id("revision-compare-with").select_option(str(first))
    preview.get_by_test_id("revision-compare").click()

    expect(preview.get_by_test_id("revision-diff-title")).to_have_text(
        f"Revision {first} → revision {second}"
    )
    changed = preview.get_by_test_id("revision-diff-cell")
    expect(changed).to_have_count(1)  # only the second cell: not the first, not the third
    expect(changed).to_contain_text("code cell changed")
    expect(changed.locator("[data-op=del]")).to_have_text(["- b = 2"])
    expect(changed.locator("[data-op=add]")).to_have_text(["+ b = 20", "+ print(b)"])
    page.screenshot(path=SCREENSHOT)

    # The same preview against the current version: the third cell's change too.
    preview.get_by_test_id("revision-compare-with").select_option("current")
    preview.get_by_test_id("revision-compare").click()
    expect(changed).to_have_count(1)
    expect(changed.locator("[data-op=add]")).to_have_text(["+ c = 30"])
