"""Colab-style notebooks of tests/colab_notebooks that need the page: rich display outputs,
Plotly figures drawn with no internet (plotly.js from the service, never from
cdn.plot.ly), and google.colab.output's JavaScript round trips (redirect_to_element,
eval_js, invokeFunction from a button).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.colab_steps import outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.test_colab_notebooks import frame, open_colab_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def offline(page: Page, served: Served) -> list[str]:
    """Every request that leaves the service fails, as on a machine without internet;
    returns the list the blocked URLs are added to."""
    blocked: list[str] = []

    def refuse(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    own = re.escape(served.base)
    page.context.route(re.compile(rf"^(?!{own})https?://"), refuse)
    return blocked


def test_plotly_figures_draw_offline(page: Page, cloudbook_server: Served) -> None:
    blocked = offline(page, cloudbook_server)
    open_colab_notebook(page, cloudbook_server, "plotly.ipynb")

    # fig.show(): Colab's HTML; plotly.js comes from the service, so the scatter draws
    run_and_wait(page, 1)
    scatter = frame(page, 1).locator(".plotly-graph-div")
    expect(scatter.locator(".plot-container svg.main-svg").first).to_be_visible()
    expect(scatter.locator(".gtitle")).to_have_text("Income and house value")
    expect(scatter.locator(".scatterlayer .trace path.point")).to_have_count(200)

    # a Figure as the cell's value draws the same way
    run_and_wait(page, 2)
    bars = frame(page, 2).locator(".plotly-graph-div")
    expect(bars.locator(".barlayer .point")).to_have_count(3)
    expect(bars.locator(".gtitle")).to_have_text("Bars")
    page.screenshot(path="/tmp/cloudbook-plotly.png", full_page=True)

    # the saved figures draw again when the notebook is opened, with no kernel
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    page.reload()
    expect(frame(page, 2).locator(".barlayer .point")).to_have_count(3)
    assert not [url for url in blocked if "cdn.plot.ly" in url], blocked


def test_output_js_notebook(page: Page, cloudbook_server: Served) -> None:
    open_colab_notebook(page, cloudbook_server, "output_js.ipynb")

    # redirect_to_element: the print lands inside the element the HTML made
    run_and_wait(page, 1)
    expect(frame(page, 1).locator("#target")).to_have_text("placeholder printed into the box\n")

    # eval_js: the browser evaluates (a Promise, awaited) and Python gets the value
    run_and_wait(page, 2)
    expect(outputs(page, 2)).to_have_text("the browser says 42\n")

    # a button in the output calls a registered Python function
    run_and_wait(page, 3)
    button = frame(page, 3).get_by_role("button", name="Add 2 and 3")
    button.click()
    expect(frame(page, 3).locator("#sum")).to_have_text("sum: 5")


def test_display_notebook(page: Page, cloudbook_server: Served) -> None:
    open_colab_notebook(page, cloudbook_server, "display.ipynb")

    # HTML, Markdown and JavaScript outputs of one cell, in order, in its frame
    run_and_wait(page, 1)
    shown = frame(page, 1)
    expect(shown.locator("b.greeting")).to_have_text("Hello, HTML")
    expect(shown.locator(".output-markdown strong")).to_have_text("Markdown")
    expect(shown.locator(".output-markdown code")).to_have_text("code")
    expect(shown.locator("body")).to_contain_text("written by JavaScript")

    # an image from a file, and an audio player for a NumPy signal
    run_and_wait(page, 2)
    image = outputs(page, 2).get_by_role("img")
    expect(image).to_be_visible()
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [40, 20]
    run_and_wait(page, 3)
    audio = frame(page, 3).locator("audio[controls]")
    expect(audio).to_have_count(1)
    expect(audio.locator("source")).to_have_attribute("type", "audio/wav")

    # a display updated in place shows only its last value
    run_and_wait(page, 4)
    expect(outputs(page, 4)).to_have_text("'step 2 of 2'done\n")
