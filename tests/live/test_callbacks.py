"""What widget callbacks print, written by the executor into the cell that shows the widget
(cloudbook/live/callbacks.py), on a real kernel: a second kernel connection plays the page
that sends the click, as the page does on its own kernel socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from cloudbook.live.callbacks import CELL_KEY
from cloudbook.runtimes.kernel_client import KernelConnection, new_message
from tests.jupyter_fixtures import JupyterServer
from tests.live.conftest import BareDocument, make_document
from tests.live.test_executor import ALICE, _text

VIEW = "application/vnd.jupyter.widget-view+json"
BUTTON = (
    "import ipywidgets as widgets\n"
    "say = widgets.Button(description='Say')\n"
    "say.on_click(lambda _: print('clicked'))\n"
    "say"
)
# A callback that writes into an Output widget and also prints outside it.
BOTH = (
    "out = widgets.Output()\n"
    "both = widgets.Button(description='Both')\n"
    "def both_clicked(_):\n"
    "    with out:\n"
    "        print('into the widget')\n"
    "    print('under the cell')\n"
    "both.on_click(both_clicked)\n"
    "display(both, out)"
)
# Kernel code sending iopub outputs under made-up callback parents (a hostile kernel).
FORGE = (
    "k = get_ipython().kernel\n"
    "def forge(cell, n, text, kind='stream'):\n"
    "    for i in range(n):\n"
    "        parent = {'msg_id': f'fake-{cell}-{i}', 'msg_type': 'comm_msg',\n"
    f"                  {CELL_KEY!r}: cell, 'session': 'x'}}\n"
    "        content = ({'name': 'stdout', 'text': text} if kind == 'stream' else\n"
    "                   {'data': {'text/plain': text}, 'metadata': {}})\n"
    "        k.session.send(k.iopub_socket, kind, content, parent=parent)\n"
)


@pytest.fixture
async def page_socket(jupyter_server: JupyterServer, kernel: str) -> AsyncIterator[Any]:
    """The page's own kernel connection (through which it sends a frame's clicks)."""
    conn = KernelConnection.to_runtime(jupyter_server.runtime(), kernel, "v1")
    await conn.__aenter__()
    yield conn
    await conn.__aexit__()


async def click(page: KernelConnection, doc: BareDocument, cell_id: str, index: int = 0) -> None:
    """Clicks the index-th widget view the cell shows, as the cell's output frame does."""
    views = [o for o in doc.cell(cell_id)["outputs"] if VIEW in o.get("data", {})]
    model_id = views[index]["data"][VIEW]["model_id"]
    data = {"method": "custom", "content": {"event": "click"}}
    msg = new_message("comm_msg", {"comm_id": model_id, "data": data}, page.session, "shell")
    msg["header"][CELL_KEY] = cell_id
    await page.send(msg)


async def test_a_click_prints_under_the_cell_that_shows_the_button(
    start_executor: Callable[..., Any], page_socket: KernelConnection
) -> None:
    doc = make_document({"button": BUTTON, "both": BOTH, "other": "print('other')"})
    executor = await start_executor(doc)
    executor.enqueue(["button", "both", "other"], ALICE)
    await doc.until(lambda: doc.cell("other")["execution_state"] == "idle")

    await click(page_socket, doc, "button")
    await doc.until(lambda: _text(doc.cell("button")) == "clicked\n")
    await click(page_socket, doc, "button")
    await doc.until(lambda: _text(doc.cell("button")) == "clicked\nclicked\n")
    outputs = doc.cell("button")["outputs"]
    # The view, then one stream that grows (as Colab saves it), nothing elsewhere.
    assert [o["output_type"] for o in outputs] == ["execute_result", "stream"]
    assert _text(doc.cell("other")) == "other\n"

    # What goes into an Output widget stays out of the cell; the rest lands under it.
    await click(page_socket, doc, "both")
    await doc.until(lambda: _text(doc.cell("both")) == "under the cell\n")
    assert "into the widget" not in str(doc.cell("both")["outputs"])

    # Running the cell again starts its outputs afresh; later clicks add to the new ones.
    executor.enqueue(["button"], ALICE)
    await doc.until(lambda: doc.cell("button")["execution_state"] == "idle")
    assert _text(doc.cell("button")) == ""
    await click(page_socket, doc, "button")
    await doc.until(lambda: _text(doc.cell("button")) == "clicked\n")


async def test_a_kernel_cannot_grow_the_document_through_made_up_callbacks(
    start_executor: Callable[..., Any],
) -> None:
    doc = make_document({"forge": FORGE, "button": BUTTON, "plain": "1", "flood": ""})
    executor = await start_executor(doc, stream_max_bytes=20_000, callback_max_bytes=60_000)
    executor.enqueue(["forge", "button", "plain"], ALICE)
    await doc.until(lambda: doc.cell("plain")["execution_state"] == "idle")
    before = {cell: doc.cell(cell)["outputs"] for cell in ("forge", "plain")}

    # Cells showing no widget, cells of no such id: nothing is written anywhere.
    doc.ynotebook.ycells[3]["source"] = (
        "forge('plain', 5, 'into plain\\n')\n"
        "forge('forge', 5, 'into forge\\n')\n"
        "forge('elsewhere', 5, 'into a cell of no such id\\n')\n"
        # A cell showing a widget takes no more than its caps, whatever the parents.
        "forge('button', 100, 'x' * 999 + '\\n')\n"
        "forge('button', 100, 'y' * 999, kind='display_data')\n"
        "print('flood done')"
    )
    executor.enqueue(["flood"], ALICE)
    await doc.until(lambda: doc.cell("flood")["execution_state"] == "idle")
    await doc.until(lambda: "[output cut" in _text(doc.cell("button")))
    assert _text(doc.cell("flood")) == "flood done\n"
    assert {cell: doc.cell(cell)["outputs"] for cell in ("forge", "plain")} == before
    assert len(doc.ynotebook.ycells) == 4
    text = _text(doc.cell("button"))
    assert text.count("x" * 999) == 20  # 20 lines of 1000 bytes fit in 20,000
    assert text.endswith(
        "\n[output cut: this cell's widget callbacks passed 19 KiB; the rest is not shown]\n"
    )
    assert not any(o["output_type"] == "display_data" for o in doc.cell("button")["outputs"])
