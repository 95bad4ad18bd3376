"""A whole notebook as a person sees it: code, markdown with math, a plot, a DataFrame,
a widget and an error, run with "Run all" on a real runtime. The screenshot it leaves
(`showcase.png` in the test's folder) is the one to look at after changing the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

MARKDOWN = (
    "# Growth of the sample\n\n"
    "Each step doubles: $x_{n+1} = 2 x_n$, so\n\n"
    "$$x_n = x_0 \\cdot 2^n$$\n\n"
    "| n | x |\n| --- | --- |\n| 0 | 1 |\n| 3 | 8 |\n"
)

CELLS = [
    {"cell_type": "markdown", "source": MARKDOWN, "metadata": {}},
    code_cell("import numpy as np\nimport pandas as pd\nx = np.arange(8)\nprint('steps:', len(x))"),
    code_cell(
        "import matplotlib.pyplot as plt\n"
        "plt.figure(figsize=(4, 2.5))\nplt.plot(x, 2 ** x, marker='o')\n"
        "plt.title('x = 2^n')\nplt.show()"
    ),
    code_cell("pd.DataFrame({'n': x, 'x': 2 ** x}).head(4)"),
    code_cell("import ipywidgets as widgets\nwidgets.IntSlider(value=3, max=7, description='n')"),
    code_cell("1 / 0"),
]


def test_whole_notebook_as_seen(page: Page, cloudbook_server: Served, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1100, "height": 1900})
    log_in(page, cloudbook_server)
    nb = create_notebook(page, "Showcase.ipynb", CELLS)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb}")
    cells = page.get_by_test_id("cell")
    expect(cells).to_have_count(len(CELLS))

    md = cells.nth(0)
    expect(md.locator("h1")).to_have_text("Growth of the sample")
    expect(md.locator(".katex-display")).to_have_count(1)
    expect(md.locator("table td")).to_have_count(4)

    page.get_by_test_id("run-all").click()
    expect(cells.nth(1).get_by_test_id("outputs")).to_have_text("steps: 8", timeout=90_000)
    expect(cells.nth(2).locator("img.output-image")).to_be_visible(timeout=60_000)
    table = cells.nth(3).frame_locator("iframe.output-frame").locator("table.dataframe")
    expect(table.locator("tbody tr")).to_have_count(4, timeout=60_000)
    expect(table.locator("tbody tr").nth(3)).to_contain_text("8")
    slider = cells.nth(4).frame_locator("iframe.output-frame").locator(".widget-slider")
    expect(slider).to_be_visible(timeout=60_000)
    expect(
        cells.nth(4).frame_locator("iframe.output-frame").locator(".widget-readout")
    ).to_have_text("3")
    expect(cells.nth(5).get_by_test_id("outputs")).to_contain_text(
        "ZeroDivisionError", timeout=60_000
    )
    expect(cells.nth(5).get_by_test_id("execution-count")).to_have_text("[5]")
    page.screenshot(path=str(tmp_path / "showcase.png"), full_page=False)
