"""What the output-producing APIs send: tags, areas, widgets, data tables, images, syntax."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from PIL import Image

from tests.colab.kernel import Kernel, Message, Result

pytestmark = pytest.mark.asyncio(loop_scope="module")


def visible(r: Result) -> list[Message]:
    """display_data that shows something (tag markers carry no data)."""
    return [m for m in r.of("display_data") if m["content"]["data"]]


def tag_changes(r: Result) -> list[tuple[list[str], list[str]]]:
    return [
        (
            m["content"]["metadata"]["outputarea"]["add_tags"],
            m["content"]["metadata"]["outputarea"]["remove_tags"],
        )
        for m in r.of("display_data")
        if "outputarea" in m["content"]["metadata"]
    ]


async def test_syntax_functions_return_their_argument(kernel: Kernel) -> None:
    r = await kernel.execute(
        "from google.colab import syntax\n"
        "q = syntax.sql('SELECT 1')\n"
        "print(q, syntax.html('<b>'), syntax.javascript('1;'), syntax.css('a{}'), type(q).__name__)"
    )
    assert r.raise_for_error().stdout == "SELECT 1 <b> 1; a{} str\n"


async def test_tags_and_tagged_clear(kernel: Kernel) -> None:
    r = await kernel.execute(
        "from google.colab import output\n"
        "with output.use_tags('conversation'):\n"
        "    with output.use_tags(['intro']):\n"
        "        print('Hello')\n"
        "    print('Bye')\n"
        "output.clear(output_tags='intro')\n"
        "with output.temporary():\n"
        "    print('soon gone')\n"
    )
    r.raise_for_error()
    changes = tag_changes(r)
    assert changes[:4] == [
        (["conversation"], []),
        (["intro"], []),
        ([], ["intro"]),
        ([], ["conversation"]),
    ]
    assert all(m["content"]["metadata"]["outputarea"]["nodisplay"] for m in r.of("display_data"))
    clears = r.of("clear_output")
    assert clears[0]["content"] == {"wait": False, "output_tags": ["intro"]}
    temporary_tag = changes[4][0][0]
    assert clears[1]["content"]["output_tags"] == [temporary_tag]
    # order on the wire: marker, output, marker
    kinds = [m["msg_type"] for m in r.messages if m["msg_type"] not in ("execute_input", "status")]
    assert kinds[:3] == ["display_data", "display_data", "stream"]
    r = await kernel.execute("output.clear()")
    assert r.raise_for_error().of("clear_output")[0]["content"] == {"wait": False}


async def test_output_areas_switch_with_javascript(kernel: Kernel) -> None:
    r = await kernel.execute(
        "with output.redirect_to_element('#target'):\n"
        "    print('inside')\n"
        "with output.to_header_area():\n"
        "    pass\n"
        "with output.to_default_area():\n"
        "    pass\n"
    )
    r.raise_for_error()
    scripts = [m["content"]["data"]["application/javascript"] for m in visible(r)]
    assert 'setActiveOutputArea(document.querySelector("#target"))' in scripts[0]
    saved = re.search(
        r'window\["(cbArea_[0-9a-f]+)"\] = google.colab.output.getActiveOutputArea', scripts[0]
    )
    assert saved is not None
    assert scripts[1] == f'google.colab.output.setActiveOutputArea(window["{saved.group(1)}"]);'
    assert '"#output-header"' in scripts[2]
    assert "getDefaultOutputArea()" in scripts[4]


async def test_grid(kernel: Kernel) -> None:
    r = await kernel.execute(
        "from google.colab import widgets\n"
        "grid = widgets.Grid(2, 3, header_row=True)\n"
        "for row, col in grid:\n"
        "    print(row * 10 + col)\n"
        "with grid.output_to(1, 2):\n"
        "    grid.clear_cell()\n"
        "    print('replaced')\n"
        "grid.clear_cell(0, 1)\n"
    )
    r.raise_for_error()
    shown = visible(r)
    assert "border-collapse" in shown[0]["content"]["data"]["text/html"]
    table = shown[1]["content"]["data"]["text/html"]
    cell_ids = re.findall(r'<t([hd]) id="([^"]+)"', table)
    assert [kind for kind, _ in cell_ids] == ["h", "h", "h", "d", "d", "d"]
    scripts = " ".join(m["content"]["data"].get("application/javascript", "") for m in shown)
    for _, cell_id in cell_ids:
        assert f'document.querySelector("#{cell_id}")' in scripts
    assert r.stdout == "0\n1\n2\n10\n11\n12\nreplaced\n"
    clears = [m["content"]["output_tags"] for m in r.of("clear_output")]
    assert clears == [[cell_ids[5][1], "user_output"], [cell_ids[1][1]]]
    r = await kernel.execute("grid.output_to(5, 0).__enter__()")
    assert r.error is not None and r.error["ename"] == "WidgetException"
    assert r.error["evalue"] == "Cell (5, 0) is outside of boundaries of 2x3 grid"
    r = await kernel.execute(
        "g = widgets.create_grid(['a', 'b'], [1, 2], lambda r, c: r * c)\nprint(g.rows, g.columns)"
    )
    # headers are printed as text (no repr quotes); rendered values are displayed
    assert r.raise_for_error().stdout == "1\n2\na\nb\n3 3\n"
    texts = [m["content"]["data"].get("text/plain") for m in visible(r)]
    assert [t for t in texts if t] == ["'a'", "'aa'", "'b'", "'bb'"]


async def test_tabbar(kernel: Kernel) -> None:
    r = await kernel.execute(
        "tabs = widgets.TabBar(['first', 'second'], location='start')\n"
        "with tabs.output_to('second'):\n"
        "    print('in second')\n"
        "with tabs.output_to(0, select=False):\n"
        "    print('in first')\n"
        "tabs.clear_tab(1)\n"
        "tabs.remove()\n"
    )
    r.raise_for_error()
    shown = visible(r)
    page = shown[0]["content"]["data"]["text/html"]
    assert "loc-start" in page and ">first</button>" in page and ">second</button>" in page
    tab_ids = re.findall(r'<div id="([^"]+_content_\d)" role="tabpanel">', page)
    assert len(tab_ids) == 2
    scripts = [m["content"]["data"].get("application/javascript", "") for m in shown[1:]]
    selects = [s for s in scripts if "setSelectedTabIndex" in s]
    assert len(selects) == 1 and selects[0].endswith("setSelectedTabIndex(1);")
    clears = [m["content"]["output_tags"] for m in r.of("clear_output")]
    assert clears[0] == [tab_ids[1]]
    assert clears[1][0].startswith("outputarea_widget-")
    for bad, message in (
        ("widgets.TabBar(['a'], location='left')", "Invalid value for location: 'left'"),
        ("widgets.TabBar(['a', 'a']).output_to('a').__enter__()", "Ambiguous tab name: a "),
    ):
        r = await kernel.execute(bad)
        assert r.error is not None and r.error["evalue"] == message


async def test_dataframes(kernel: Kernel) -> None:
    setup = (
        "import pandas as pd\n"
        "df = pd.DataFrame({'name': ['b', 'a', None], 'x': [2.5, float('nan'), 1.0],"
        " 'n': [3, 1, 2]}, index=['r1', 'r2', 'r3'])\n"
    )
    r = await kernel.execute(setup + "df")
    html = r.raise_for_error().of("execute_result")[0]["content"]["data"]["text/html"]
    assert "<table" in html and 'class="dataframe"' in html  # pandas' own HTML by default
    r = await kernel.execute(
        "from google.colab import data_table\ndata_table.DataTable(df, num_rows_per_page=10)"
    )
    html = r.raise_for_error().of("execute_result")[0]["content"]["data"]["text/html"]
    spec = json.loads(
        re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html).group(1)
    )
    assert [c["name"] for c in spec["columns"]] == ["", "name", "x", "n"]
    assert [c["numeric"] for c in spec["columns"]] == [False, False, True, True]
    assert spec["rows"] == [["r1", "b", 2.5, 3], ["r2", "a", None, 1], ["r3", None, 1.0, 2]]
    assert spec["rowsPerPage"] == 10
    assert "cloudbookDataTable" in html and "https://" not in html  # no CDN
    r = await kernel.execute("data_table.enable_dataframe_formatter()\ndf")
    assert (
        "cloudbookDataTable"
        in r.raise_for_error().of("execute_result")[0]["content"]["data"]["text/html"]
    )
    r = await kernel.execute("data_table.disable_dataframe_formatter()\ndf")
    html = r.raise_for_error().of("execute_result")[0]["content"]["data"]["text/html"]
    assert "cloudbookDataTable" not in html and "<table" in html
    r = await kernel.execute(
        "data_table.DataTable(df, max_rows=2, max_columns=1, include_index=False)"
    )
    r.raise_for_error()
    assert "exceeds max_rows (2)" in r.stdout and "exceeds max_columns (1)" in r.stdout


async def test_matplotlib_inline_and_cv2_imshow(kernel: Kernel) -> None:
    r = await kernel.execute("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2]);")
    assert "image/png" in visible(r.raise_for_error())[0]["content"]["data"]
    r = await kernel.execute(
        "import numpy as np\n"
        "from google.colab.patches import cv2_imshow\n"
        "img = np.zeros((2, 3, 3), dtype=np.uint8)\n"
        "img[..., 0] = 255  # blue in OpenCV's BGR order\n"
        "cv2_imshow(img)\n"
        "cv2_imshow(np.full((2, 2), 300.0))\n"
    )
    shown = visible(r.raise_for_error())
    first = Image.open(io.BytesIO(base64.b64decode(shown[0]["content"]["data"]["image/png"])))
    assert first.mode == "RGB" and first.getpixel((0, 0)) == (0, 0, 255)
    second = Image.open(io.BytesIO(base64.b64decode(shown[1]["content"]["data"]["image/png"])))
    assert second.mode == "L" and second.getpixel((0, 0)) == 255


async def test_serve_kernel_port(kernel: Kernel) -> None:
    r = await kernel.execute(
        "os.environ['CLOUDBOOK_RUNTIME_ID'] = 'rt-123'\n"
        "output.serve_kernel_port_as_iframe(8000, path='/app?x=1', height='300')\n"
        "output.serve_kernel_port_as_window(8001, anchor_text='open it')\n"
        "output.enable_custom_widget_manager()\n"
    )
    shown = visible(r.raise_for_error())
    iframe, window = (m["content"]["data"] for m in shown)
    assert (
        iframe["text/plain"]
        == "<serving runtime port 8000 at /api/runtimes/rt-123/proxy/8000/app?x=1>"
    )
    assert "kernel.proxyPort(port, {cache})" in iframe["application/javascript"]
    assert '8000, "/app?x=1", "100%", "300", false, "rt-123"' in iframe["application/javascript"]
    assert window["text/plain"] == "/api/runtimes/rt-123/proxy/8001/"
    assert '"open it"' in window["application/javascript"]
