"""Long outputs, progress lines, tracebacks and a 500-cell notebook, as a user sees them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from bench.notebooks import LAST_MARKER, big_notebook
from tests.e2e.colab_steps import FINISHED
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ALL_LINES = "".join(f"{i}\n" for i in range(100_000))


def open_notebook(page: Page, served: Served, name: str, cells: list[dict[str, object]]) -> str:
    log_in(page, served)
    nb_id = create_notebook(page, name, cells)
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(len(cells))
    return nb_id


def run(page: Page, index: int) -> Locator:
    cell = page.get_by_test_id("cell").nth(index)
    cell.get_by_role("button", name="Run cell").click()
    return cell.get_by_test_id("outputs")


def last_line_on_screen(output: Locator) -> str:
    """The last line of the output's text, after scrolling it into view: the line a
    user sees at the bottom of the output."""
    body = output.locator(".stream-body")
    body.scroll_into_view_if_needed()
    text = output.locator("pre").last.inner_text()
    return text.rstrip("\n").rsplit("\n", 1)[-1]


def test_100000_lines_show_all_and_download(page: Page, cloudbook_server: Served) -> None:
    cells = [
        code_cell("for i in range(100_000):\n    print(i)"),
        code_cell("print('\\n'.join(str(i) for i in range(100_000)))"),
        code_cell(
            "import sys, time\nfor i in range(101):\n"
            "    sys.stdout.write(f'\\rprogress {i:3d}%'); sys.stdout.flush(); time.sleep(0.002)\n"
            "print(' done')"
        ),
    ]
    open_notebook(page, cloudbook_server, "streams.ipynb", cells)

    per_line = run(page, 0)
    expect(per_line).to_contain_text("99999", timeout=120_000)
    expect(page.get_by_test_id("cell").nth(0)).not_to_have_attribute("data-state", "running")
    assert last_line_on_screen(per_line) == "99999"
    cut = per_line.get_by_test_id("output-cut")
    expect(cut).to_contain_text("lines hidden")
    assert per_line.inner_text().startswith("0\n1\n2\n")
    cut.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cloudbook-long-output.png")

    with page.expect_download() as info:
        per_line.get_by_test_id("output-download").click()
    download = info.value
    assert download.suggested_filename == "stdout.txt"
    assert Path(download.path()).read_text() == ALL_LINES

    per_line.get_by_test_id("output-show-all").click()
    expect(per_line.get_by_test_id("output-cut")).to_have_count(0)
    expect(per_line).to_contain_text("\n50000\n")
    assert per_line.locator("pre").evaluate("el => el.textContent") == ALL_LINES

    big = run(page, 1)
    expect(big).to_contain_text("99999", timeout=60_000)
    assert last_line_on_screen(big) == "99999"
    expect(big.get_by_test_id("output-cut")).to_contain_text("lines hidden")

    progress = run(page, 2)
    expect(progress).to_have_text("progress 100% done\n", timeout=60_000)


def test_tracebacks_are_highlighted_with_the_error_named(
    page: Page, cloudbook_server: Served
) -> None:
    cells = [
        code_cell("def f(n):\n    return f(n - 1) if n else 1 / 0\n\nf(40)"),
        code_cell("raise KeyError('missing')"),
    ]
    open_notebook(page, cloudbook_server, "errors.ipynb", cells)
    out = run(page, 0)
    expect(out.get_by_test_id("error-name")).to_have_text("ZeroDivisionError", timeout=60_000)
    expect(out.get_by_test_id("error-summary")).to_have_text("ZeroDivisionError: division by zero")
    traceback = out.locator("pre.error-traceback")
    expect(traceback).to_contain_text("Traceback (most recent call last)")
    expect(traceback).to_contain_text("return f(n - 1) if n else 1 / 0")
    assert traceback.locator("[class*=ansi-]").count() > 10  # IPython's colours kept
    # A long traceback scrolls inside its box; the error line stays in sight below it.
    assert traceback.evaluate("el => el.scrollHeight > el.clientHeight + 100")
    out.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cloudbook-error.png")

    # Once the failed run has finished (as in Colab, a cell queued behind a run that fails
    # is not run), the next cell runs and names its own error.
    first = page.get_by_test_id("cell").nth(0).get_by_test_id("execution-count")
    expect(first).to_have_text(FINISHED)
    key = run(page, 1)
    expect(key.get_by_test_id("error-summary")).to_have_text("KeyError: 'missing'", timeout=30_000)


def test_500_cell_notebook_opens_scrolls_and_saves_an_edit(
    page: Page, cloudbook_server: Served
) -> None:
    content = big_notebook(500)
    log_in(page, cloudbook_server)
    nb_id = str(
        page.evaluate(
            """async (content) => {
                const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
                const r = await fetch('/api/notebooks', {method: 'POST',
                    headers: {'Content-Type': 'application/json',
                              'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                    body: JSON.stringify({name: 'big.ipynb', content})});
                return (await r.json()).id;
            }""",
            content,
        )
    )
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(500)
    last = cells.nth(499)
    last.scroll_into_view_if_needed()
    expect(last.get_by_test_id("outputs")).to_contain_text(LAST_MARKER)
    expect(last.get_by_test_id("outputs")).to_be_in_viewport()
    last.locator(".editor").click()
    expect(last.locator(".cm-content")).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n# edited at the end")
    edited = content["cells"][499]["source"] + "\n# edited at the end"
    deadline = time.monotonic() + 30
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    while saved[499]["source"] != edited and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # polling the server for the autosave
        saved = fetch_notebook(page, nb_id)["content"]["cells"]
    assert len(saved) == 500
    assert saved[499]["source"] == edited
    assert saved[0]["source"] == content["cells"][0]["source"]
