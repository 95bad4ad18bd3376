"""`cloudbook run` keeps widget state as the editor does: saved in metadata.widgets, with
the outputs of `with out:` blocks inside their Output widget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cloudbook.runner.widgets import STATE_MIME, VIEW_MIME, WidgetRecorder
from tests.cli.test_run import code, run, write_nb

pytestmark = pytest.mark.timeout(180)


def msg(kind: str, content: dict[str, Any], parent: str = "", buffers: Any = ()) -> Any:
    return {
        "header": {"msg_type": kind, "msg_id": "x"},
        "parent_header": {"msg_id": parent},
        "content": content,
        "buffers": list(buffers),
    }


def opened(model_id: str, **state: Any) -> Any:
    return msg(
        "comm_open",
        {
            "comm_id": model_id,
            "target_name": "jupyter.widget",
            "data": {"state": state, "buffer_paths": []},
        },
    )


def test_recorder_keeps_state_buffers_and_captures() -> None:
    rec = WidgetRecorder()
    rec.add(
        opened(
            "img",
            _model_name="ImageModel",
            _model_module="@jupyter-widgets/controls",
            layout="IPY_MODEL_lay",
        )
    )
    rec.add(opened("lay", _model_name="LayoutModel", _model_module="@jupyter-widgets/base"))
    rec.add(opened("unused", _model_name="LayoutModel", _model_module="@jupyter-widgets/base"))
    update = {"method": "update", "state": {"value": None}, "buffer_paths": [["value"]]}
    rec.add(msg("comm_msg", {"comm_id": "img", "data": update}, buffers=[b"\x00\xff"]))
    rec.add(
        opened(
            "out",
            _model_name="OutputModel",
            _model_module="@jupyter-widgets/output",
            msg_id="",
            outputs=[],
        )
    )
    rec.add(
        msg(
            "comm_msg",
            {"comm_id": "out", "data": {"method": "update", "state": {"msg_id": "run1"}}},
        )
    )
    assert rec.add(msg("stream", {"name": "stdout", "text": "in the widget\n"}, "run1"))
    assert not rec.add(msg("stream", {"name": "stdout", "text": "in the cell\n"}, "run2"))

    view = {"output_type": "display_data", "data": {VIEW_MIME: {"model_id": "img"}}}
    out_view = {"output_type": "display_data", "data": {VIEW_MIME: {"model_id": "out"}}}
    nb: dict[str, Any] = {"metadata": {}, "cells": [{"outputs": [view, out_view]}]}
    rec.save(nb)
    state = nb["metadata"]["widgets"][STATE_MIME]
    assert state["version_major"] == 2
    assert sorted(state["state"]) == ["img", "lay", "out"]
    assert state["state"]["img"]["buffers"] == [
        {"path": ["value"], "data": "AP8=", "encoding": "base64"}
    ]
    assert state["state"]["out"]["state"]["outputs"] == [
        {"output_type": "stream", "name": "stdout", "text": "in the widget\n"}
    ]


def test_nothing_saved_without_widget_outputs() -> None:
    rec = WidgetRecorder()
    rec.add(opened("lay", _model_name="LayoutModel", _model_module="@jupyter-widgets/base"))
    nb: dict[str, Any] = {"metadata": {}, "cells": [{"outputs": []}]}
    rec.save(nb)
    assert nb["metadata"] == {}


def test_headless_run_saves_widget_state(tmp_path: Path) -> None:
    nb = write_nb(
        tmp_path / "w.ipynb",
        code("import ipywidgets as w\nlevel = w.IntSlider(value=7)\nlevel"),
        code("out = w.Output()\nwith out:\n    print('captured')\nprint('plain')\nout"),
        code("from tqdm.notebook import tqdm\nfor _ in tqdm(range(5)): pass"),
    )
    out = tmp_path / "done.ipynb"
    result = run(tmp_path, str(nb), "-o", str(out))
    assert result.returncode == 0, result.stderr
    done = json.loads(out.read_text())
    state = done["metadata"]["widgets"][STATE_MIME]["state"]
    slider_id = done["cells"][0]["outputs"][0]["data"][VIEW_MIME]["model_id"]
    assert state[slider_id]["state"]["value"] == 7
    texts = [o.get("text") for o in done["cells"][1]["outputs"]]
    assert texts[0] == "plain\n"
    out_id = done["cells"][1]["outputs"][1]["data"][VIEW_MIME]["model_id"]
    assert state[out_id]["state"]["outputs"][0]["text"] == "captured\n"
    bars = [m for m in state.values() if m["model_name"] == "FloatProgressModel"]
    assert bars and bars[0]["state"]["value"] == 5
