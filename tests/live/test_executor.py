"""The service-side executor on a real kernel, writing into a bare shared document."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from cloudbook.live.executor import REQUESTS_MAP, Requester
from tests.live.conftest import make_document

ALICE = Requester(user_id=1, name="alice", client_id=11)


def _text(cell: dict[str, Any]) -> str:
    return "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")


async def test_printing_loop_lands_in_the_document(start_executor: Callable[..., Any]) -> None:
    doc = make_document(
        {
            "loop": "import time\nfor i in range(20):\n    print(i)\n    time.sleep(0.01)",
            "value": "6 * 7",
        }
    )
    executor = await start_executor(doc)
    assert executor.enqueue(["loop", "value", "nope"], ALICE) == ["loop", "value"]
    assert doc.cell("value")["execution_state"] == "queued"
    await doc.until(lambda: doc.cell("value")["execution_state"] == "idle")
    loop = doc.cell("loop")
    assert _text(loop) == "".join(f"{i}\n" for i in range(20))
    assert len(loop["outputs"]) == 1  # one coalesced stream, as nbformat saves it
    value = doc.cell("value")
    assert value["outputs"] == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "42"},
            "metadata": {},
            "execution_count": value["execution_count"],
        }
    ]
    assert value["execution_count"] == loop["execution_count"] + 1
    info = value["metadata"]["executionInfo"]
    assert info["status"] == "ok"
    assert info["user"] == {"displayName": "alice", "userId": "1"}


async def test_error_stops_the_queue(start_executor: Callable[..., Any]) -> None:
    doc = make_document({"bad": "1/0", "after": "print('never')"})
    executor = await start_executor(doc)
    executor.enqueue(["bad", "after"], ALICE)
    await doc.until(
        lambda: (
            doc.cell("bad")["execution_state"] == "idle"
            and doc.cell("after")["execution_state"] == "idle"
        )
    )
    bad = doc.cell("bad")
    assert bad["outputs"][0]["ename"] == "ZeroDivisionError"
    assert bad["metadata"]["executionInfo"]["status"] == "error"
    assert doc.cell("after")["outputs"] == []


async def test_clear_wait_and_display_updates_in_every_cell(
    start_executor: Callable[..., Any],
) -> None:
    doc = make_document(
        {
            "show": "h = display('first', display_id=True)",
            "clear": (
                "from IPython.display import clear_output\n"
                "print('gone')\nclear_output(wait=True)\nprint('kept')"
            ),
            "update": "h.update('second')",
        }
    )
    executor = await start_executor(doc)
    executor.enqueue(["show", "clear", "update"], ALICE)
    await doc.until(lambda: doc.cell("update")["execution_state"] == "idle")
    assert doc.cell("show")["outputs"][0]["data"] == {"text/plain": "'second'"}
    assert _text(doc.cell("clear")) == "kept\n"
    assert doc.cell("update")["outputs"] == []


async def test_input_waits_in_the_document_until_answered(
    start_executor: Callable[..., Any],
) -> None:
    doc = make_document({"ask": "name = input('Name? ')\nprint('hello', name)"})
    executor = await start_executor(doc)
    executor.enqueue(["ask"], ALICE)
    requests = doc.ynotebook.ydoc.get(REQUESTS_MAP, type=__import__("pycrdt").Map)
    await doc.until(lambda: len(requests) == 1)
    assert doc.cell("ask")["execution_state"] == "waiting"
    request_id, entry = next(iter(requests.items()))
    assert entry["prompt"] == "Name? "
    assert entry["user_id"] == 1 and entry["client_id"] == 11
    assert await executor.answer(request_id, "Ada")
    await doc.until(lambda: doc.cell("ask")["execution_state"] == "idle")
    assert _text(doc.cell("ask")) == "Name? Ada\nhello Ada\n"
    assert len(requests) == 0


async def test_long_stream_is_cut_with_a_link_to_the_full_file(
    start_executor: Callable[..., Any],
) -> None:
    doc = make_document({"big": "for i in range(20000):\n    print(f'line {i:06d}')"})
    executor = await start_executor(doc, stream_max_bytes=50_000)
    executor.enqueue(["big"], ALICE)
    await doc.until(lambda: doc.cell("big")["execution_state"] == "idle")
    text = _text(doc.cell("big"))
    assert text.startswith("line 000000\n")
    assert "line 019999" not in text
    assert (
        "[output cut after 48 KiB: full output at /api/notebooks/nb-1/outputs/big/stdout]" in text
    )
    assert executor.spills is not None
    path = executor.spills.path_of("big", "stdout")
    assert path is not None
    assert path.read_text() == "".join(f"line {i:06d}\n" for i in range(20000))


async def test_run_waits_for_the_pages_last_edit(start_executor: Callable[..., Any]) -> None:
    doc = make_document({"c": "print(1)"})
    executor = await start_executor(doc)
    # The page shows print(2); its edit reaches the document after the run request.
    executor.enqueue(["c"], ALICE, {"c": "print(2)"})
    await asyncio.sleep(0)  # the run is now waiting for the edit
    source = doc.ynotebook.ycells[0]["source"]
    source.clear()
    source += "print(2)"
    await doc.until(lambda: doc.cell("c")["execution_state"] == "idle" and doc.cell("c")["outputs"])
    assert _text(doc.cell("c")) == "2\n"


async def test_display_updates_reach_what_an_earlier_executor_showed(
    start_executor: Callable[..., Any],
) -> None:
    """The executor is replaced (document closed and reopened, service restarted): the
    display ids live in the saved outputs, so later updates still find their displays."""
    from jupyter_ydoc import YNotebook

    from tests.live.conftest import BareDocument

    doc = make_document(
        {
            "show": (
                "from IPython.display import display, update_display\n"
                "h = display('first', display_id=True)\n"
                "_ = display('named', display_id='named')"
            ),
            "again": "_ = display('named too', display_id='named')",
            "update": "h.update('second')\nupdate_display('renamed', display_id='named')",
        }
    )
    first = await start_executor(doc)
    first.enqueue(["show", "again"], ALICE)
    await doc.until(lambda: doc.cell("again")["execution_state"] == "idle")
    await first.close()
    # What the service saved, loaded into a fresh document with a fresh executor.
    saved = doc.ynotebook.get()
    assert saved["cells"][0]["outputs"][1]["metadata"] == {"cloudbook": {"display_id": "named"}}
    fresh = YNotebook()
    fresh.set(saved)
    reloaded = BareDocument(fresh)
    second = await start_executor(reloaded)
    second.enqueue(["update"], ALICE)
    await reloaded.until(lambda: reloaded.cell("update")["execution_state"] == "idle")
    shown = [o["data"]["text/plain"] for o in reloaded.cell("show")["outputs"]]
    assert shown == ["'second'", "'renamed'"]
    assert [o["data"]["text/plain"] for o in reloaded.cell("again")["outputs"]] == ["'renamed'"]
    assert reloaded.cell("update")["outputs"] == []


async def test_what_an_output_widget_captures_stays_out_of_the_cell(
    start_executor: Callable[..., Any],
) -> None:
    doc = make_document(
        {
            "widget": (
                "import ipywidgets as widgets\n"
                "out = widgets.Output()\n"
                "display(out)\n"
                "with out:\n"
                "    print('inside')\n"
                "    display('shown inside')\n"
                "print('outside')"
            ),
            "later": "with out:\n    print('later inside')\nprint('later outside')",
        }
    )
    executor = await start_executor(doc)
    executor.enqueue(["widget", "later"], ALICE)
    await doc.until(lambda: doc.cell("later")["execution_state"] == "idle")
    widget = doc.cell("widget")["outputs"]
    assert [o["output_type"] for o in widget] == ["display_data", "stream"]
    assert "application/vnd.jupyter.widget-view+json" in widget[0]["data"]
    assert widget[1]["text"] == "outside\n"
    assert _text(doc.cell("later")) == "later outside\n"


async def test_cells_added_moved_and_removed_after_the_start_are_found(
    start_executor: Callable[..., Any],
) -> None:
    """The executor keeps its cells-by-id index; changes to the cell list renew it."""
    doc = make_document({"first": "1", "second": "2"})
    executor = await start_executor(doc)
    executor.enqueue(["first"], ALICE)  # indexes the document
    await doc.until(lambda: doc.cell("first")["execution_state"] == "idle")
    nb = doc.ynotebook
    nb.append_cell(
        {"cell_type": "code", "id": "added", "source": "3", "metadata": {}, "outputs": []}
    )
    second = nb.get_cell(1)
    del nb.ycells[1]  # moved: deleted and inserted again, as @jupyter/ydoc moves
    nb.ycells.insert(0, nb.create_ycell(second))
    assert executor.enqueue(["added", "second", "gone"], ALICE) == ["added", "second"]
    await doc.until(lambda: doc.cell("second")["execution_state"] == "idle")
    assert doc.cell("added")["outputs"][0]["data"] == {"text/plain": "3"}
    assert doc.cell("second")["outputs"][0]["data"] == {"text/plain": "2"}
    del nb.ycells[0]
    assert executor.enqueue(["second"], ALICE) == []
