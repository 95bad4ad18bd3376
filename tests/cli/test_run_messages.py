"""`cloudbook run` takes every message a kernel sends: binary buffers (comms, widgets),
errors numbered as the progress numbers cells, and a kernel that dies mid-run."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_run import code, run, stdout_of, write_nb

pytestmark = pytest.mark.timeout(180)

# A 1x1 PNG: the bytes an ipywidgets.Image sends as a binary buffer.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def test_binary_buffers_and_widgets_reach_the_written_notebook(tmp_path: Path) -> None:
    nb = write_nb(
        tmp_path / "widgets.ipynb",
        markdown("# Comms with bytes"),
        code(
            "from comm import create_comm\n"
            "c = create_comm(target_name='nobody.listens', data={'a': 1}, buffers=[b'hi'])\n"
            "c.send({'more': True}, buffers=[b'\\x00\\xff' * 1000])\n"
            "print('comm sent')"
        ),
        markdown("An image widget carries its PNG as a buffer."),
        code(
            "import base64, ipywidgets\n"
            f"png = base64.b64decode({base64.b64encode(PNG).decode()!r})\n"
            "img = ipywidgets.Image(value=png, format='png')\n"
            "img"
        ),
        code("img.value = png + b'!'\nprint('after', len(img.value))"),
    )
    result = run(tmp_path, str(nb))
    assert result.returncode == 0, result.stderr
    assert "bad v1 frame" not in result.stderr and "[3/3]" in result.stderr
    executed = json.loads((tmp_path / "widgets.out.ipynb").read_text())
    cells = executed["cells"]
    assert stdout_of(cells[1]) == "comm sent\n"
    assert stdout_of(cells[4]) == f"after {len(PNG) + 1}\n"
    view = cells[3]["outputs"][0]["data"]["application/vnd.jupyter.widget-view+json"]
    state = executed["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    image = state["state"][view["model_id"]]
    assert image["model_name"] == "ImageModel"
    # The update of the last cell replaced the buffer: the saved state is the latest.
    assert image["buffers"] == [
        {"path": ["value"], "data": base64.b64encode(PNG + b"!").decode(), "encoding": "base64"}
    ]


def test_error_names_the_cell_as_the_progress_counts_it(tmp_path: Path) -> None:
    nb = write_nb(
        tmp_path / "job.ipynb",
        markdown("# Intro"),
        code("x = 1"),
        markdown("Now it breaks"),
        markdown("really"),
        code("raise ValueError('second code cell')"),
    )
    result = run(tmp_path, str(nb))
    assert result.returncode == 1
    assert "[2/2] raise ValueError" in result.stderr
    assert "Error in cell 2:" in result.stderr and "Error in cell 5" not in result.stderr
    assert "ValueError: second code cell" in result.stderr


def test_a_kernel_that_dies_is_reported_with_its_cell_and_the_runtime_log(
    tmp_path: Path,
) -> None:
    nb = write_nb(
        tmp_path / "crash.ipynb",
        markdown("# Crash"),
        code("print('fine')"),
        code("import ctypes\nctypes.string_at(0)  # a segfault, as a broken C extension does"),
        code("print('never')"),
    )
    result = run(tmp_path, str(nb))
    assert result.returncode == 1
    assert "Error in cell 2: The kernel died while running this cell." in result.stderr
    assert "Last lines of the runtime's log:" in result.stderr
    log = result.stderr.split("Last lines of the runtime's log:", 1)[1]
    assert "restarted" in log  # the runtime's server saw the kernel die and restarted it
    executed = json.loads((tmp_path / "crash.out.ipynb").read_text())
    assert stdout_of(executed["cells"][1]) == "fine\n"
    assert executed["cells"][3]["outputs"] == []
