"""Live ipywidgets in the output frame, against a real runtime: sliders that change kernel
values, buttons printing into Output widgets, interact, tqdm.notebook, saved state."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-widgets.png"
STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"

SLIDER = """import ipywidgets as widgets
level = widgets.IntSlider(value=3, min=0, max=10, description="Level")
level"""
PRINT_LEVEL = 'print("level is", level.value)'
BUTTON = """out = widgets.Output()
presses = []
button = widgets.Button(description="Press me")
def pressed(_):
    presses.append(1)
    with out:
        print("pressed", len(presses), "times")
button.on_click(pressed)
display(button, out)"""
INTERACT = """from ipywidgets import interact
@interact(x=(0, 10))
def square(x=4):
    print("square is", x * x)"""
TQDM = """from tqdm.notebook import tqdm
for _ in tqdm(range(40), desc="Crunching"):
    pass"""
SAME_SLIDER = "level"


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def frame(page: Page, index: int) -> FrameLocator:
    return cell(page, index).frame_locator("iframe.output-frame")


class Runner:
    """Runs cells one at a time and waits for each to finish (its execution count)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def __call__(self, index: int) -> Locator:
        cell(self.page, index).get_by_role("button", name="Run cell").click()
        self.count += 1
        expect(cell(self.page, index).get_by_test_id("execution-count")).to_have_text(
            f"[{self.count}]", timeout=60_000
        )
        return cell(self.page, index).get_by_test_id("outputs")

    def until(self, index: int, text: str) -> None:
        """A dragged slider's last value reaches the kernel after the kernel has handled
        the earlier ones (ipywidgets throttles updates), so the cell may run once first."""
        for _ in range(5):
            if self(index).inner_text().strip() == text:
                return
        expect(cell(self.page, index).get_by_test_id("outputs")).to_have_text(text)


def test_widgets_are_live_and_survive_a_reload(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = [SLIDER, PRINT_LEVEL, BUTTON, INTERACT, TQDM, SAME_SLIDER]
    nb_id = create_notebook(page, "widgets.ipynb", [code_cell(c) for c in cells])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")

    run = Runner(page)
    # An IntSlider renders inside the cell's sandboxed output frame.
    run(0)
    slider = frame(page, 0)
    handle = slider.locator(".noUi-handle")
    expect(handle).to_be_visible(timeout=60_000)
    expect(slider.locator(".widget-readout")).to_have_text("3")
    expect(slider.locator(".widget-label")).to_have_text("Level")

    # Moving it with the keyboard changes the kernel's value.
    handle.focus()
    handle.press("ArrowRight")
    expect(slider.locator(".widget-readout")).to_have_text("4")
    expect(run(1)).to_have_text("level is 4")

    # Dragging it to the end of its track does too.
    box = slider.locator(".noUi-base").bounding_box()
    start = handle.bounding_box()
    assert box and start
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 40, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    expect(slider.locator(".widget-readout")).to_have_text("10")
    run.until(1, "level is 10")

    # A Button's on_click prints into an Output widget, visible under the button.
    run(2)
    button = frame(page, 2).get_by_role("button", name="Press me")
    expect(button).to_be_visible(timeout=30_000)
    button.click()
    expect(frame(page, 2).locator(".widget-output")).to_contain_text("pressed 1 times")
    button.click()
    expect(frame(page, 2).locator(".widget-output")).to_contain_text("pressed 2 times")
    expect(cell(page, 2).get_by_test_id("outputs")).not_to_contain_text("pressed")

    # interact: the function's output is shown, and re-rendered when the slider moves.
    run(3)
    inter = frame(page, 3)
    expect(inter.locator(".widget-output")).to_have_text("square is 16", timeout=30_000)
    inter.locator(".noUi-handle").focus()
    inter.locator(".noUi-handle").press("ArrowRight")
    expect(inter.locator(".widget-output")).to_have_text("square is 25")

    # tqdm.notebook: a progress bar that reaches 100%.
    run(4)
    bar = frame(page, 4)
    expect(bar.locator(".widget-hprogress")).to_be_visible(timeout=30_000)
    expect(bar.locator(".widget-html").first).to_contain_text("100%")
    expect(bar.locator(".widget-html").last).to_contain_text("40/40")

    # The slider made in cell 0, shown again in cell 5: both views follow each other.
    run(5)
    again = frame(page, 5)
    expect(again.locator(".widget-readout")).to_have_text("10", timeout=30_000)
    again.locator(".noUi-handle").focus()
    again.locator(".noUi-handle").press("ArrowLeft")
    expect(slider.locator(".widget-readout")).to_have_text("9")
    expect(run(1)).to_have_text("level is 9")

    # Tall enough that no output frame is off screen (those are not painted).
    page.set_viewport_size({"width": 1280, "height": 1300})
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Saved with the notebook: the widget state, in nbformat's place for it.
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    saved = fetch_notebook(page, nb_id)["content"]
    state = saved["metadata"]["widgets"][STATE]
    assert state["version_major"] == 2
    level_id = saved["cells"][0]["outputs"][0]["data"][VIEW]["model_id"]
    assert state["state"][level_id]["model_name"] == "IntSliderModel"
    assert state["state"][level_id]["state"]["value"] == 9

    # Reopened without running anything: the widgets render from the saved state.
    page.reload()
    slider = frame(page, 0)
    expect(slider.locator(".noUi-handle")).to_be_visible(timeout=30_000)
    expect(slider.locator(".widget-readout")).to_have_text("9")
    expect(frame(page, 2).locator(".widget-output")).to_contain_text("pressed 2 times")
    expect(frame(page, 4).locator(".widget-html").first).to_contain_text("100%")
    # The page reconnects to the notebook's runtime by itself (live documents).
    expect(page.get_by_test_id("kernel-state")).to_have_attribute("data-state", "idle")

    # The runtime still has the slider: showing it again makes it live once more, and the
    # saved-state view in the cell not run again follows it.
    again = frame(page, 5)
    run(5)
    expect(again.locator(".widget-readout")).to_have_text("9", timeout=30_000)
    again.locator(".noUi-handle").focus()
    again.locator(".noUi-handle").press("ArrowRight")
    expect(slider.locator(".widget-readout")).to_have_text("10")
    expect(run(1)).to_have_text("level is 10")


KINDS = """import io
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(1, 1))
ax.plot([0, 1])
png = io.BytesIO()
fig.savefig(png, format="png")
plt.close(fig)
picture = widgets.Image(value=png.getvalue(), format="png", width=80)
form = widgets.VBox([widgets.Dropdown(options=["a", "b"], description="Pick"),
                     widgets.Checkbox(description="Check")])
tabs = widgets.Tab(children=[form, widgets.HTML("<b>second pane</b>")], titles=("Form", "Other"))
more = widgets.Accordion([widgets.Label("inside")], titles=("More",))
display(widgets.HBox([picture, tabs]), more)"""
LINKED = """a = widgets.IntSlider(value=1, description="a")
b = widgets.IntText(value=1, description="b")
widgets.jslink((a, "value"), (b, "value"))
box = widgets.Output()
with box:
    display(widgets.Label("a label inside an Output widget"))
display(a, b, box)"""
PLOT = """import matplotlib.pyplot as plt
@interact(n=(2, 6))
def plot(n=2):
    plt.figure(figsize=(3, 2))
    plt.plot(range(n), [i * i for i in range(n)])
    plt.show()"""


def test_binary_state_layouts_and_plots(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    cells = ["import ipywidgets as widgets\nfrom ipywidgets import interact", KINDS, PLOT, LINKED]
    nb_id = create_notebook(page, "kinds.ipynb", [code_cell(c) for c in cells])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    run = Runner(page)
    run(0)
    run(1)
    kinds = frame(page, 1)
    # The Image widget's bytes travel as a binary buffer.
    picture = kinds.locator("img.widget-image")
    expect(picture).to_be_visible(timeout=30_000)
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    # Only the selected tab's pane shows; accordion sections start closed.
    expect(kinds.get_by_text("second pane")).to_be_hidden()
    expect(kinds.get_by_text("inside")).to_be_hidden()
    kinds.get_by_text("Other", exact=True).click()
    expect(kinds.get_by_text("second pane")).to_be_visible()
    kinds.get_by_text("More", exact=True).click()
    expect(kinds.get_by_text("inside")).to_be_visible()

    # interact with a matplotlib plot: a new picture when the slider moves.
    run(2)
    plot = frame(page, 2).locator(".widget-output img")
    expect(plot).to_be_visible(timeout=30_000)
    first = plot.get_attribute("src")
    frame(page, 2).locator(".noUi-handle").focus()
    frame(page, 2).locator(".noUi-handle").press("ArrowRight")
    expect(frame(page, 2).locator(".widget-readout")).to_have_text("3")
    expect(plot).not_to_have_attribute("src", first or "")
    expect(plot).to_have_count(1)

    # jslink: the link lives in the frame, between the two views.
    run(3)
    linked = frame(page, 3)
    linked.locator(".noUi-handle").focus()
    linked.locator(".noUi-handle").press("ArrowRight")
    expect(linked.locator(".widget-text input")).to_have_value("2")
    expect(linked.get_by_text("a label inside an Output widget")).to_be_visible()

    # Reopened: the image comes back from the saved (base64) buffer.
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=30_000)
    saved = fetch_notebook(page, nb_id)["content"]["metadata"]["widgets"][STATE]["state"]
    images = [m for m in saved.values() if m["model_name"] == "ImageModel"]
    assert images and images[0]["buffers"][0]["path"] == ["value"]
    page.reload()
    picture = frame(page, 1).locator("img.widget-image")
    expect(picture).to_be_visible(timeout=30_000)
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(frame(page, 2).locator(".widget-output img")).to_be_visible()
    # Links come back with the saved state and still work without a runtime.
    linked = frame(page, 3)
    expect(linked.locator(".widget-text input")).to_have_value("2", timeout=30_000)
    linked.locator(".noUi-handle").focus()
    linked.locator(".noUi-handle").press("ArrowRight")
    expect(linked.locator(".widget-text input")).to_have_value("3")
    expect(linked.get_by_text("a label inside an Output widget")).to_be_visible()


def _v7(name: str, module: str, **state: object) -> dict[str, object]:
    version = "1.5.0" if module == "controls" else "1.2.0"
    full = f"@jupyter-widgets/{module}"
    return {
        "model_name": name,
        "model_module": full,
        "model_module_version": version,
        "state": {"_model_name": name, "_model_module": full, **state},
    }


def test_colab_saved_ipywidgets7_state_renders(page: Page, cloudbook_server: Served) -> None:
    """A tqdm bar as Colab saves it: ipywidgets 7 models, the id map without a wrapper."""
    state = {
        "box": _v7(
            "HBoxModel",
            "controls",
            _view_name="HBoxView",
            children=["IPY_MODEL_label", "IPY_MODEL_bar", "IPY_MODEL_count"],
            layout="IPY_MODEL_lay",
        ),
        "label": _v7(
            "HTMLModel",
            "controls",
            _view_name="HTMLView",
            value="Downloading: 100%",
            description_tooltip=None,
            layout="IPY_MODEL_lay",
            style="IPY_MODEL_dstyle",
        ),
        "bar": _v7(
            "FloatProgressModel",
            "controls",
            _view_name="ProgressView",
            bar_style="success",
            max=609,
            value=609,
            orientation="horizontal",
            layout="IPY_MODEL_lay",
            style="IPY_MODEL_pstyle",
        ),
        "count": _v7(
            "HTMLModel",
            "controls",
            _view_name="HTMLView",
            value=" 609/609 [00:00&lt;00:00, 14.2kB/s]",
            layout="IPY_MODEL_lay",
            style="IPY_MODEL_dstyle",
        ),
        "lay": _v7("LayoutModel", "base", _view_name="LayoutView"),
        "dstyle": _v7("DescriptionStyleModel", "controls", description_width=""),
        "pstyle": _v7("ProgressStyleModel", "controls", bar_color=None, description_width=""),
    }
    cell = code_cell("download()")
    cell["outputs"] = [
        {
            "output_type": "display_data",
            "data": {
                "text/plain": "HBox(children=(HTML(value='Downloading'),))",
                VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
            },
            "metadata": {},
        }
    ]
    content = {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {"colab": {"provenance": []}, "widgets": {STATE: state}},
        "cells": [cell],
    }
    log_in(page, cloudbook_server)
    created = page.evaluate(
        """async (content) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/notebooks', {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({name: 'colab.ipynb', content})});
            return await r.json();
        }""",
        content,
    )
    nb_id = str(created["id"])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    bar = frame(page, 0)
    expect(bar.locator(".widget-html").first).to_have_text("Downloading: 100%", timeout=30_000)
    expect(bar.locator(".widget-html").last).to_contain_text("609/609")
    expect(bar.locator(".progress-bar-success")).to_be_visible()
    page.screenshot(path="/tmp/cloudbook-widgets-colab.png")


INVOKE = """from google.colab import output
from IPython.display import HTML
log = widgets.Output()
def note():
    with log:
        print("from invokeFunction")
output.register_callback("note", note)
display(log, HTML('<button onclick="google.colab.kernel.invokeFunction(\\'note\\', [], {})">'
                  'Invoke</button>'))"""


def test_widgets_after_a_kernel_restart(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    say = 'say = widgets.Button(description="Say")\nsay.on_click(lambda _: print("said"))\nsay'
    cells = [code_cell(SLIDER), code_cell(PRINT_LEVEL), code_cell(say), code_cell(INVOKE)]
    nb_id = create_notebook(page, "restart.ipynb", cells)
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    cell(page, 0).get_by_role("button", name="Run cell").click()
    expect(frame(page, 0).locator(".noUi-handle")).to_be_visible(timeout=60_000)
    # The service answers the restart once the new kernel is up.
    with page.expect_response(lambda r: r.url.endswith("/restart"), timeout=60_000) as done:
        page.get_by_test_id("restart").click()
        page.get_by_test_id("confirm-ok").click()  # "Are you sure ...?"
    assert done.value.ok
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "idle", timeout=60_000)
    # The old view stays; the cell run again makes a new, live slider.
    run = Runner(page)
    run(0)
    handle = frame(page, 0).locator(".noUi-handle")
    expect(handle).to_be_visible(timeout=30_000)
    expect(frame(page, 0).locator(".widget-readout")).to_have_text("3")
    handle.focus()
    handle.press("ArrowRight")
    expect(frame(page, 0).locator(".widget-readout")).to_have_text("4")
    expect(run(1)).to_have_text("level is 4")

    # A callback's print that no Output widget takes shows under the cell, as in Colab.
    run(2)
    frame(page, 2).get_by_role("button", name="Say").click()
    expect(frame(page, 2).get_by_text("said")).to_be_visible()

    # An Output widget also takes what a google.colab.kernel.invokeFunction run prints.
    run(3)
    frame(page, 3).get_by_role("button", name="Invoke").click()
    expect(frame(page, 3).locator(".widget-output")).to_have_text("from invokeFunction")
    expect(frame(page, 3).get_by_text("from invokeFunction")).to_have_count(1)
