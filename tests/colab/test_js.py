"""The JavaScript shipped in google.colab outputs, run in Chromium on the HTML the package emits:
the upload widget reading picked files chunk by chunk, the data table (paging, sorting,
filtering) and the tab bar. (How the notebook page hosts outputs is the frontend's part.)"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from cloudbook.colab_runtime import SITE_DIR
from tests.e2e.conftest import CHROMIUM_FLAGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="module"),
]

FLAGS = CHROMIUM_FLAGS


def emitted_html(code: str) -> str:
    """HTML as the package builds it, in a separate interpreter (as in a runtime)."""
    env = dict(os.environ, PYTHONPATH=str(SITE_DIR))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        await b.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context()
    pg = await context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    await context.close()
    assert not errors


async def test_upload_widget_reads_files_in_chunks(page: Any, tmp_path: Path) -> None:
    html = emitted_html(
        "from google.colab import _upload\nprint(_upload._widget_html('up1', True))"
    )
    await page.set_content(html)
    files = {"a.bin": os.urandom(2500), "empty.txt": b"", "b.txt": b"hello"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    await page.evaluate("window.started = cloudbookUpload.start('up1', 1000); 0")
    await page.set_input_files("#up1-input", [str(tmp_path / n) for n in files])
    picked = await page.evaluate("window.started")
    assert picked["action"] == "files"
    assert [(f["name"], f["size"]) for f in picked["files"]] == [
        ("a.bin", 2500),
        ("empty.txt", 0),
        ("b.txt", 5),
    ]
    assert await page.is_disabled("#up1-input")
    received: dict[int, bytes] = {}
    sizes = []
    while True:
        step = await page.evaluate("cloudbookUpload.next('up1')")
        if step["action"] == "complete":
            break
        assert step["action"] == "append"
        chunk = base64.b64decode(step["data"])
        sizes.append(len(chunk))
        received[step["file"]] = received.get(step["file"], b"") + chunk
    assert sizes == [1000, 1000, 500, 5]
    assert received == {0: files["a.bin"], 2: files["b.txt"]}
    assert await page.is_disabled("#up1-cancel")
    assert "b.txt" in await page.inner_text("#up1-status")


async def test_upload_widget_cancel(page: Any, tmp_path: Path) -> None:
    html = emitted_html(
        "from google.colab import _upload\nprint(_upload._widget_html('up2', False))"
    )
    await page.set_content(html)
    assert not await page.get_attribute("#up2-input", "multiple")
    await page.evaluate("window.started = cloudbookUpload.start('up2', 1000); 0")
    await page.click("#up2-cancel")
    assert await page.evaluate("window.started") == {"action": "cancel"}
    assert await page.evaluate("cloudbookUpload.next('up2')") == {"action": "cancel"}
    assert await page.inner_text("#up2-status") == "Upload cancelled."


async def test_data_table_pages_sorts_and_filters(page: Any) -> None:
    html = emitted_html(
        "import pandas as pd\n"
        "from google.colab import data_table\n"
        "df = pd.DataFrame({'city': [f'city{i:02d}' for i in range(60)],"
        " 'pop': [(i * 37) % 60 for i in range(60)]})\n"
        "print(data_table.DataTable(df, num_rows_per_page=25)._repr_html_())\n"
    )
    await page.set_content(html)

    async def column(i: int) -> list[str]:
        return await page.eval_on_selector_all(
            f"tbody tr > :nth-child({i})", "cells => cells.map(c => c.textContent)"
        )

    assert len(await column(1)) == 25
    assert (await column(2))[:2] == ["city00", "city01"]
    assert "1-25 of 60" in await page.inner_text(".pager")
    await page.click("text=Next")
    assert (await column(2))[0] == "city25"
    await page.click("th:has-text('pop')")  # sort ascending, back to page 1
    assert [int(v) for v in await column(3)][:3] == [0, 1, 2]
    await page.click("th:has-text('pop')")  # descending
    assert [int(v) for v in await column(3)][:3] == [59, 58, 57]
    assert await page.get_attribute("th:has-text('pop')", "aria-sort") == "descending"
    await page.fill("input[type=search]", "city1")
    assert sorted(await column(2)) == [f"city1{i}" for i in range(10)]
    assert "(filtered from 60)" in await page.inner_text(".pager")
    await page.fill("input[type=search]", "")
    await page.select_option("select", "50")
    assert len(await column(1)) == 50


async def test_tab_bar_switches_tabs(page: Any) -> None:
    html = emitted_html(
        "from google.colab.widgets import TabBar\n"
        "t = TabBar(['one', 'two', 'three'], location='bottom')\n"
        "print(t._id)\n"
        "print(t._html())\n"
    )
    tab_id, html = html.split("\n", 1)
    await page.set_content(html)

    async def visible_pages() -> list[bool]:
        return await page.eval_on_selector_all(
            f"#{tab_id} > .pages > div", "pages => pages.map(p => !p.hidden)"
        )

    assert await visible_pages() == [True, False, False]
    await page.click("button:has-text('three')")
    assert await visible_pages() == [False, False, True]
    await page.evaluate(f"window[{json.dumps(tab_id)}].setSelectedTabIndex(1)")
    assert await visible_pages() == [False, True, False]
    selected = await page.eval_on_selector_all(
        f"#{tab_id} button", "tabs => tabs.map(t => t.getAttribute('aria-selected'))"
    )
    assert selected == ["false", "true", "false"]
