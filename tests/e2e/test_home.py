"""The home page as a user drives it: uploads, rename, folders, search, Trash, the title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/cloudbook-home")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def notebook_file(tmp: Path, name: str, source: str) -> Path:
    content = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{**code_cell(source), "id": "c1"}],
    }
    path = tmp / name
    path.write_text(json.dumps(content))
    return path


def row(page: Page, name: str) -> Locator:
    return page.locator(f'tr[data-name="{name}"]')


def row_action(page: Page, name: str, action: str) -> None:
    row(page, name).get_by_test_id("row-more").click()
    page.get_by_test_id(f"action-{action}").click()


def test_upload_rename_move_search_trash_restore(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    log_in(page, cloudbook_server)
    expect(page.get_by_test_id("empty-state")).to_contain_text("New notebook")
    files = [
        notebook_file(tmp_path, "alpha.ipynb", "print('alpha')"),
        notebook_file(tmp_path, "beta.ipynb", "print('beta')"),
        notebook_file(tmp_path, "gamma.ipynb", "print('gamma')"),
    ]
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("upload").click()
    chooser.value.set_files([str(f) for f in files])
    panel = page.get_by_test_id("upload-panel")
    expect(panel).to_contain_text("3 uploads complete", timeout=60_000)
    expect(page.get_by_test_id("notebook-link")).to_have_count(3)
    # The same file again: kept beside the first as "alpha (1).ipynb".
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("upload").click()
    chooser.value.set_files([str(files[0])])
    expect(panel).to_contain_text("4 uploads complete", timeout=60_000)
    expect(panel).to_contain_text("Done, as alpha (1).ipynb")
    expect(row(page, "alpha (1).ipynb")).to_be_visible()
    shot(page, "uploaded")

    # Rename through the row menu.
    row_action(page, "beta.ipynb", "rename")
    field = page.get_by_test_id("dialog-input")
    expect(field).to_have_value("beta.ipynb")
    field.fill("bravo")
    page.get_by_test_id("dialog-ok").click()
    expect(row(page, "bravo.ipynb")).to_be_visible()
    expect(row(page, "beta.ipynb")).to_have_count(0)
    # A bad name is refused in the dialog and changes nothing.
    row_action(page, "bravo.ipynb", "rename")
    page.get_by_test_id("dialog-input").fill("alpha.ipynb")
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("dialog-error")).to_contain_text("already exists")
    page.keyboard.press("Escape")
    expect(row(page, "bravo.ipynb")).to_be_visible()

    # A folder, and a notebook moved into it.
    page.get_by_test_id("new-folder").click()
    page.get_by_test_id("dialog-input").fill("Archive")
    page.get_by_test_id("dialog-ok").click()
    expect(row(page, "Archive")).to_be_visible()
    row_action(page, "gamma.ipynb", "move")
    page.locator('[data-testid="move-target"][data-folder="Archive"]').click()
    page.get_by_test_id("dialog-ok").click()
    expect(row(page, "gamma.ipynb")).to_have_count(0)
    page.get_by_test_id("folder-link").filter(has_text="Archive").click()
    expect(page.get_by_test_id("crumb")).to_have_text(["My Drive", "Archive"])
    expect(row(page, "Archive/gamma.ipynb")).to_be_visible()
    shot(page, "folder")
    page.get_by_test_id("crumb").filter(has_text="My Drive").click()
    expect(row(page, "Archive")).to_be_visible()

    # Search finds names in every folder.
    page.get_by_test_id("search").fill("GAM")
    page.get_by_test_id("search").press("Enter")
    expect(page.get_by_test_id("home-title")).to_contain_text("GAM")
    expect(page.get_by_test_id("notebook-link")).to_have_text(["gamma.ipynb"])
    page.get_by_test_id("search").fill("no such notebook")
    page.get_by_test_id("search").press("Enter")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No notebooks or folders match")

    # Delete into the Trash (keyboard: Delete on the focused row), restore it, same id.
    page.get_by_test_id("nav-drive").click()
    link = row(page, "bravo.ipynb").get_by_test_id("notebook-link")
    href = link.get_attribute("href")
    link.focus()
    page.keyboard.press("Delete")
    expect(row(page, "bravo.ipynb")).to_have_count(0)
    page.get_by_test_id("nav-trash").click()
    expect(row(page, "bravo.ipynb")).to_be_visible()
    shot(page, "trash")
    row(page, "bravo.ipynb").get_by_test_id("restore").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("The Trash is empty")
    page.get_by_test_id("nav-drive").click()
    expect(row(page, "bravo.ipynb").get_by_test_id("notebook-link")).to_have_attribute(
        "href", str(href)
    )
    # Delete again and empty the Trash for good.
    row_action(page, "bravo.ipynb", "trash")
    expect(row(page, "bravo.ipynb")).to_have_count(0)
    page.get_by_test_id("nav-trash").click()
    page.get_by_test_id("empty-trash").click()
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("The Trash is empty")
    assert list((cloudbook_server.data_dir / "drive").rglob("bravo.ipynb")) == []


def test_title_renames_in_place(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "draft.ipynb", [code_cell("x = 1")])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    title = page.get_by_test_id("notebook-name")
    expect(title).to_have_text("draft.ipynb")
    title.click()
    field = page.get_by_test_id("notebook-title-input")
    expect(field).to_be_focused()
    field.fill("Final report")
    field.press("Enter")
    expect(title).to_have_text("Final report.ipynb")
    expect(page).to_have_title("Final report.ipynb - cloudbook")
    assert fetch_notebook(page, nb_id)["name"] == "Final report.ipynb"
    # Esc leaves the name as it was.
    title.click()
    page.get_by_test_id("notebook-title-input").fill("not this")
    page.keyboard.press("Escape")
    expect(title).to_have_text("Final report.ipynb")
    shot(page, "title")
    # File → Open notebook lists it under Recent; Drive shows it too.
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Open notebook").click()
    expect(page.get_by_test_id("open-panel")).to_contain_text("Final report.ipynb")
    page.get_by_test_id("open-tab-github").click()
    expect(page.get_by_label("Open from a GitHub URL")).to_be_visible()
    shot(page, "open-dialog")
    page.keyboard.press("Escape")
    page.goto(cloudbook_server.base + "/")
    expect(row(page, "Final report.ipynb")).to_be_visible()


def test_notebook_written_by_drive_mount_appears(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    source = (
        "import json\n"
        "from google.colab import drive\n"
        "drive.mount('/content/drive')\n"
        "nb = {'nbformat': 4, 'nbformat_minor': 5, 'metadata': {}, 'cells': []}\n"
        "json.dump(nb, open('/content/drive/My Drive/from_kernel.ipynb', 'w'))\n"
        "print('written')"
    )
    nb_id = create_notebook(page, "writer.ipynb", [code_cell(source)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cell = page.get_by_test_id("cell").nth(0)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    expect(cell.get_by_test_id("outputs")).to_contain_text("written", timeout=90_000)
    page.get_by_role("link", name="cloudbook").click()
    expect(row(page, "from_kernel.ipynb")).to_be_visible()
    expect(row(page, "writer.ipynb")).to_be_visible()
