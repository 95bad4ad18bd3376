"""Publish to the web and Download .html/.pdf, as a user does them: the published URL
opened by an anonymous browser shows the outputs; an output that attacks its reader gets
nothing; markdown with an event handler is inert."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SHOTS = Path("/work/notes/shots")
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
    "RU5ErkJggg=="
)
# An output that tries to act as whoever reads the published page.
ATTACK = """<p id=out>attack running</p><script>
const r = {};
try { r.parent = 'read ' + parent.document.body.innerHTML.length; }
catch (e) { r.parent = 'blocked'; }
try { r.cookie = 'read ' + document.cookie; } catch (e) { r.cookie = 'blocked'; }
try { top.location = 'https://example.invalid/stolen'; r.top = 'tried'; }
catch (e) { r.top = 'blocked'; }
function done() {
  document.body.setAttribute('data-result', JSON.stringify(r));
  document.getElementById('out').textContent = 'attack finished';
}
fetch('/api/me', {credentials: 'include'})
  .then((x) => x.text()).then((t) => { r.fetch = 'got ' + t; done(); },
                              () => { r.fetch = 'blocked'; done(); });
</script>"""


def with_outputs(source: str, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    cell = code_cell(source)
    cell["execution_count"] = 1
    cell["outputs"] = outputs
    return cell


def display(data: dict[str, str]) -> dict[str, Any]:
    return {"output_type": "display_data", "metadata": {}, "data": data}


def cells() -> list[dict[str, Any]]:
    return [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": "# Quarterly results\n\n<img src=x onerror=\"document.title='pwned'\">",
        },
        with_outputs(
            "print('hello')",
            [
                {"output_type": "stream", "name": "stdout", "text": "hello from the kernel\n"},
                display({"image/png": PNG}),
                display(
                    {
                        "text/html": "<p id=t>waiting</p><script>"
                        "document.getElementById('t').textContent='framed script ran'</script>",
                        "text/plain": "fallback",
                    }
                ),
            ],
        ),
    ]


def open_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="File", exact=True).click()
    page.get_by_role("menuitem", name=item).click()


def publish(page: Page) -> str:
    open_menu(page, "Publish to the web")
    page.get_by_test_id("publish-now").click()
    link = page.get_by_test_id("publish-link")
    expect(link).to_be_visible()
    return str(link.input_value())


def test_published_view_for_an_anonymous_reader(
    page: Page, browser: Browser, cloudbook_server: Served
) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "results.ipynb", cells())
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(2)
    url = publish(page)
    assert url.startswith(f"{cloudbook_server.base}/p/")
    expect(page.get_by_test_id("publish-status")).to_contain_text("Published")

    anonymous = browser.new_context()
    try:
        reader = anonymous.new_page()
        reader.goto(url)
        expect(reader.get_by_role("heading", name="Quarterly results")).to_be_visible()
        expect(reader.get_by_text("hello from the kernel")).to_be_visible()
        expect(reader.locator("img.output-image")).to_have_count(1)
        frame = reader.frame_locator("iframe.output-frame").first
        expect(frame.get_by_text("framed script ran")).to_be_visible()
        # The frame is sized to its one line (from the height it posts), not left at 150px.
        sized = re.compile(r"height: \d{2}px")
        expect(reader.locator("iframe.output-frame")).to_have_attribute("style", sized)
        # The markdown's handler was removed: nothing ran, no attribute is left.
        assert reader.title() == "results"
        assert reader.locator("[onerror]").count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        reader.screenshot(path=str(SHOTS / "publish-view.png"), full_page=True)

        # Unpublish from the dialog: the reader's next visit finds nothing.
        page.get_by_test_id("publish-stop").click()
        expect(page.get_by_test_id("publish-status")).to_have_text("Not published.")
        reader.reload()
        expect(reader.get_by_role("heading", name="Not found")).to_be_visible()
    finally:
        anonymous.close()


def test_an_output_cannot_act_as_the_reader(page: Page, cloudbook_server: Served) -> None:
    """The worst case: the reader is signed in to the same service."""
    log_in(page, cloudbook_server)
    nb_id = create_notebook(
        page, "attack.ipynb", [with_outputs("attack()", [display({"text/html": ATTACK})])]
    )
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    # This time from the Share dialog.
    page.get_by_test_id("share-button").click()
    page.get_by_test_id("share-publish").click()
    page.get_by_test_id("publish-now").click()
    url = str(page.get_by_test_id("publish-link").input_value())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "publish-dialog.png"))
    reader = page.context.new_page()  # same browser, same session cookie
    reader.goto(url)
    frame_el = reader.locator("iframe.output-frame")
    assert frame_el.get_attribute("sandbox") == "allow-scripts"
    frame = reader.frame_locator("iframe.output-frame")
    expect(frame.get_by_text("attack finished")).to_be_visible()
    result = json.loads(frame.locator("body").get_attribute("data-result") or "{}")
    assert result["parent"] == "blocked", result  # the page's DOM is out of reach
    assert result["cookie"] == "blocked", result  # an opaque origin has no cookies
    assert result["fetch"] == "blocked", result  # no network at all from the frame
    assert reader.url == url  # the top window stayed where it was
    expect(reader.get_by_role("heading", name="attack")).to_be_visible()
    # The session is untouched and still the reader's own.
    me = page.evaluate("async () => (await fetch('/api/me')).status")
    assert me == 200


def share_with(page: Page, notebook_id: str, user: str, role: str) -> None:
    status = page.evaluate(
        """async ([id, user, role]) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/notebooks/' + id + '/shares', {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({user, role})});
            return r.status;
        }""",
        [notebook_id, user, role],
    )
    assert status == 200


def test_a_viewer_downloads_html_and_pdf(
    browser: Browser, cloudbook_server: Served, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    served = cloudbook_server
    add_bob = [sys.executable, "-m", "cloudbook", "user", "add", "bob", "--password-stdin"]
    subprocess.run(
        [*add_bob, "--data-dir", str(served.data_dir)],
        input="bob-password\n",
        text=True,
        check=True,
        capture_output=True,
    )
    owner_context = browser.new_context()
    alice = owner_context.new_page()
    log_in(alice, served)
    nb_id = create_notebook(alice, "reports/results.ipynb", cells())
    share_with(alice, nb_id, "bob", "viewer")
    owner_context.close()
    page = browser.new_context(accept_downloads=True).new_page()
    log_in(page, Served(served.base, served.data_dir, "bob", "bob-password"))
    page.goto(f"{served.base}/notebooks/{nb_id}")
    expect(page.get_by_test_id("cell")).to_have_count(2)

    page.get_by_role("button", name="File", exact=True).click()
    # A viewer does not publish: no entry for it.
    expect(page.get_by_role("menuitem", name="Download .ipynb")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Publish to the web")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("menuitem", name="Download .html").click()
    html_file = tmp_path / info.value.suggested_filename
    info.value.save_as(html_file)
    assert html_file.name == "results.html"
    html = html_file.read_text()
    assert html.startswith("<!doctype html>") and "hello from the kernel" in html

    # The file on its own, opened from disk, shows the notebook and runs the framed output.
    local = page.context.new_page()
    local.goto(html_file.as_uri())
    expect(local.get_by_role("heading", name="Quarterly results")).to_be_visible()
    frame = local.frame_locator("iframe.output-frame").first
    expect(frame.get_by_text("framed script ran")).to_be_visible()
    local.close()

    page.get_by_role("button", name="File", exact=True).click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("menuitem", name="Download .pdf").click()
    assert info.value.suggested_filename == "results.pdf"
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "Quarterly results" in text and "hello from the kernel" in text
    page.context.close()
