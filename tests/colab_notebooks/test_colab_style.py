"""More notebooks written the way public Colab notebooks are (Colab's docs and snippets,
courses), run unmodified with `cloudbook run`; each test asserts what the user sees.

forms, magics, matplotlib, pandas_display, sample_data, display, input_stdin, errors,
shell_pipes, secrets_env, local_server, widgets_v7, plotly, output_js. The browser half
(plotly figures drawn offline, output_js) is tests/e2e/test_colab_notebooks_more.py.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import wave
from typing import Any

import pandas as pd
import pytest

from cloudbook.colab_runtime import SAMPLE_DATA_DIR
from tests.colab.wheels import build_wheel
from tests.colab_notebooks.runs import Batch, Job, shown

pytestmark = pytest.mark.timeout(400)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
VIEW = "application/vnd.jupyter.widget-view+json"


def text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def streams(cell: dict[str, Any], name: str) -> str:
    return "".join(
        text(o["text"])
        for o in cell["outputs"]
        if o["output_type"] == "stream" and o["name"] == name
    )


def data(cell: dict[str, Any], mime: str) -> list[str]:
    return [text(o["data"][mime]) for o in cell["outputs"] if mime in o.get("data", {})]


OPENAI_KEY, HF_TOKEN, TYPED_TOKEN = "sk-proj-0123456789", "hf_abcdefghijklmnop", "hf-typed-token"
FORM = {
    "run_name": "tuned",
    "model": "large",
    "learning_rate": "0.005",
    "epochs": "5",
    "dropout": "0.3",
    "use_gpu": "yes",
    "start_date": "2025-03-01",
    "layers": "[128, 64, 32]",
    "optimizer": "rmsprop",  # not among the choices: the field allows input
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Every notebook of this module, run side by side (what each needs made first)."""
    inputs = tmp_path_factory.mktemp("inputs")
    wheels = inputs / "wheels"
    wheels.mkdir()
    build_wheel(
        wheels, "cbdemo", "1.0", {"cbdemo/__init__.py": "def greet():\n    return 'hi from 1.0'\n"}
    )
    answers = inputs / "answers.txt"
    answers.write_text(f"Ada\n{TYPED_TOKEN}\n3\n4.5\n\n")
    secrets = inputs / "secrets.json"
    secrets.write_text(json.dumps({"HF_TOKEN": HF_TOKEN}))
    jobs = [
        Job("forms.ipynb", [a for k, v in FORM.items() for a in ("-p", f"{k}={v}")]),
        Job("magics.ipynb"),
        Job("matplotlib.ipynb"),
        Job("pandas_display.ipynb"),
        Job("sample_data.ipynb"),
        Job("display.ipynb"),
        Job("input_stdin.ipynb", ["--stdin", str(answers)]),
        Job("errors.ipynb", returncode=1),
        Job("shell_pipes.ipynb", env={"PIP_FIND_LINKS": str(wheels)}),
        Job(
            "secrets_env.ipynb",
            ["--secret", f"OPENAI_API_KEY={OPENAI_KEY}", "--secrets-file", str(secrets)],
        ),
        Job("local_server.ipynb"),
        Job("widgets_v7.ipynb"),
        Job("plotly.ipynb"),
        Job("output_js.ipynb", returncode=1),
    ]
    return Batch(tmp_path_factory.mktemp("runs"), jobs)


def png_size(b64: str) -> tuple[int, int]:
    raw = base64.b64decode(b64)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def test_forms_take_parameters_of_every_kind(batch: Batch) -> None:
    _, cells, _ = batch.run("forms.ipynb")
    assert shown(cells[0]) == ""
    assert shown(cells[1]) == (
        "tuned: large model, lr=0.005, 5 epochs\n"
        "dropout 0.3 | gpu True | from 2025-03-01\n"
        "layers [128, 64, 32] | optimizer rmsprop\n"
        "float int bool list\n"
    )
    assert shown(cells[2]) == "units x epochs: 1120\n"
    # the saved notebook shows the values the run used, in the form's own lines
    source = text(cells[0]["source"])
    assert "run_name = 'tuned'  #@param {type:\"string\"}" in source
    assert 'use_gpu = True  #@param {type:"boolean"}' in source
    assert 'layers = [128, 64, 32]  #@param {type:"raw"}' in source


def test_magics(batch: Batch) -> None:
    _, cells, _ = batch.run("magics.ipynb")
    texts = [shown(c) for c in cells]
    assert texts[0] == "env: DATA_DIR=/content/sample_data\n/content/sample_data\nREADME.md\n"
    assert cells[1]["outputs"] == []  # %%capture keeps it out of the notebook
    assert texts[2] == "captured: 'a noisy training log line\\n'\na noisy training log line\n"
    assert texts[3].startswith("499999500000\nCPU times: user ") and "\nWall time: " in texts[3]
    assert texts[4:8] == [
        "Writing helpers.py\n",
        "helpers v1\n",
        "Overwriting helpers.py\n",
        "helpers v2\n",  # %autoreload 2 picked up the new file
    ]
    assert texts[8].endswith(" per loop (mean ± std. dev. of 1 run, 1 loop each)\n")
    assert texts[9] == "Colab only includes TensorFlow 2.x; %tensorflow_version has no effect.\n"


def test_matplotlib_figures_inline(batch: Batch) -> None:
    _, cells, _ = batch.run("matplotlib.ipynb")
    # plt.show(): one image with its colorbar; a figure left open shows at the cell's end
    for cell, label in [
        (cells[0], "<Figure size 600x400 with 2 Axes>"),
        (cells[1], "<Figure size 800x300 with 2 Axes>"),
    ]:
        [image] = data(cell, "image/png")
        width, height = png_size(image)
        assert width > height > 100
        assert data(cell, "text/plain") == [label]
    [line] = [o for o in cells[2]["outputs"] if o["output_type"] == "execute_result"]
    assert text(line["data"]["text/plain"]).startswith("[<matplotlib.lines.Line2D at 0x")
    assert len(data(cells[2], "image/png")) == 1
    assert shown(cells[3]) == "(400, 150)\n"


def test_pandas_tables_and_download(batch: Batch) -> None:
    df = pd.read_csv(SAMPLE_DATA_DIR / "california_housing_test.csv")
    _, cells, _ = batch.run("pandas_display.ipynb")
    [head] = data(cells[0], "text/html")
    assert '<table border="1" class="dataframe">' in head and "<th>longitude</th>" in head
    assert head.split("<tbody>")[1].count("<tr>") == 5
    assert data(cells[0], "text/plain")[0].startswith("    longitude   latitude")
    assert streams(cells[1], "stdout") == f"{df.shape}\n"
    tail, described = data(cells[1], "text/html")
    assert "<th>population</th>" in tail and f"<td>{df.population.iloc[-1]}</td>" in tail
    assert "<th>count</th>" in described and "<th>max</th>" in described
    counts = df.groupby(pd.cut(df["housing_median_age"], [0, 20, 40, 60]), observed=True)[
        "median_house_value"
    ].count()
    assert shown(cells[2]) == (
        counts.to_string()
        + "\nfiles.download('summary.csv'): headless run, no browser to save it; skipped.\n"
    )
    # the formatter turns a DataFrame into Colab's interactive table, and off again
    [table] = data(cells[3], "text/html")
    assert "cloudbook-data-table-root" in table
    [plain] = data(cells[4], "text/html")
    assert 'class="dataframe"' in plain and "cloudbook-data-table-root" not in plain


def test_sample_data(batch: Batch) -> None:
    _, cells, _ = batch.run("sample_data.ipynb")
    texts = [shown(c) for c in cells]
    assert sorted(texts[0].split()) == sorted(p.name for p in SAMPLE_DATA_DIR.iterdir())
    assert texts[1] == (SAMPLE_DATA_DIR / "README.md").read_text().splitlines()[0] + "\n"
    # Anscombe's quartet: the same means in all four series
    assert texts[2].splitlines()[2:] == [f"{s:<8}9.0  7.5" for s in ("I", "II", "III", "IV")]
    rows = len((SAMPLE_DATA_DIR / "mnist_test.csv").read_text().splitlines())
    assert texts[3].startswith(f"({rows}, 28, 28) 0 ")
    assert texts[4] == "600 200 True\n"


def test_rich_display(batch: Batch) -> None:
    _, cells, _ = batch.run("display.ipynb")
    assert data(cells[0], "text/html") == ['<b class="greeting">Hello, <i>HTML</i></b>']
    assert data(cells[0], "text/markdown") == ["**Markdown** with `code`"]
    assert data(cells[0], "application/javascript") == [
        'element.textContent = "written by JavaScript"'
    ]
    [image] = data(cells[1], "image/png")
    assert png_size(image) == (40, 20)
    [audio] = data(cells[2], "text/html")
    assert "<audio" in audio and 'controls="controls"' in audio
    wav = re.search(r"data:audio/wav;base64,([A-Za-z0-9+/=]+)", audio)
    assert wav is not None
    with wave.open(io.BytesIO(base64.b64decode(wav.group(1)))) as w:
        assert (w.getframerate(), w.getnframes()) == (8000, 2000)
    # a display updated in place shows its last value only
    assert [shown(c) for c in cells[3:]] == ["'step 2 of 2'done\n"]


def test_input_from_stdin(batch: Batch) -> None:
    _, cells, saved = batch.run("input_stdin.ipynb")
    assert [shown(c) for c in cells] == [
        "What is your name? Ada\nHello, Ada!\n",
        "Paste your token: \ntoken has 14 characters\n",  # a password is not echoed
        "A number (empty to stop): 3\nA number (empty to stop): 4.5\n"
        "A number (empty to stop): \nsum: 7.5\n",
    ]
    assert TYPED_TOKEN not in saved.read_text()


def test_errors_and_tracebacks(batch: Batch) -> None:
    result, cells, _ = batch.run("errors.ipynb")
    assert "Error in cell 4:" in result.stderr and "KeyError: 'grace'" in result.stderr
    assert shown(cells[0]) == "42\n"
    # a handled error: its traceback printed, and the cell goes on
    assert streams(cells[1], "stdout") == "handled\n"
    printed = streams(cells[1], "stderr")
    assert printed.startswith("Traceback (most recent call last):\n")
    assert printed.endswith("ValueError: invalid literal for int() with base 10: 'forty-two'\n")
    assert streams(cells[2], "stdout") == "after the warning\n"
    assert "UserWarning: this setting is deprecated" in streams(cells[2], "stderr")
    # the error that stops the run: the traceback a user reads, through the function
    [error] = cells[3]["outputs"]
    assert error["output_type"] == "error"
    assert (error["ename"], error["evalue"]) == ("KeyError", "'grace'")
    traceback = ANSI.sub("", "\n".join(error["traceback"]))
    assert "----> 4 lookup('grace')" in traceback and "in lookup(name)" in traceback
    assert cells[4]["outputs"] == [] and cells[4]["execution_count"] is None


def test_shell_pipes_and_pip(batch: Batch) -> None:
    _, cells, _ = batch.run("shell_pipes.ipynb")
    texts = [shown(c) for c in cells]
    rows = len((SAMPLE_DATA_DIR / "california_housing_test.csv").read_text().splitlines())
    assert texts[:6] == [
        f"{rows}\n",
        "households\nhousing_median_age\nlatitude\n",
        "6:population\n",
        "SList 4 california_housing_test.csv\n",
        "4 CSV files in /content/sample_data\n",
        "exit code 3\nrecovered\n",
    ]
    assert re.fullmatch(r"cbdemo +1\.0\nhi from 1\.0\n", texts[6]), texts[6]


def test_secrets_as_environment_variables(batch: Batch) -> None:
    result, cells, saved = batch.run("secrets_env.ipynb")
    assert [shown(c) for c in cells] == [
        "keys set: ['HF_TOKEN', 'OPENAI_API_KEY']\n",
        "18 sk-\nHF_TOKEN is set\n",
        "True\n",
    ]
    for value in (OPENAI_KEY, HF_TOKEN):
        assert value not in saved.read_text()
        assert value not in result.stdout and value not in result.stderr


def test_local_server_on_a_picked_port(batch: Batch) -> None:
    _, cells, _ = batch.run("local_server.ipynb")
    readme = (SAMPLE_DATA_DIR / "README.md").read_text().splitlines()[0]
    points = len(json.loads((SAMPLE_DATA_DIR / "anscombe.json").read_text()))
    texts = [shown(c) for c in cells]
    assert texts[:3] == [
        "a free port: True\n",
        f"200 text/markdown\n{readme}\n",
        f"{points} points\n",
    ]
    assert re.fullmatch(r"<serving runtime port \d+ at /api/runtimes/[\w-]+/proxy/\d+/>", texts[3])
    assert data(cells[3], "application/javascript")
    assert texts[4] == "stopped\n"


def test_widgets_written_for_ipywidgets_7(batch: Batch) -> None:
    _, cells, saved = batch.run("widgets_v7.ipynb")
    out = json.loads(saved.read_text())
    state = out["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]

    def model(cell: dict[str, Any]) -> dict[str, Any]:
        [view] = [o["data"][VIEW] for o in cell["outputs"] if VIEW in o.get("data", {})]
        return state[view["model_id"]]  # type: ignore[no-any-return]

    def output_texts() -> list[str]:
        return [
            "".join(text(o.get("text", "")) for o in m["state"]["outputs"])
            for m in state.values()
            if m["model_name"] == "OutputModel"
        ]

    assert shown(cells[0]).endswith("value 3\n")
    assert model(cells[0])["state"]["value"] == 3
    # interact ran the function once with its defaults, into its Output widget
    assert model(cells[1])["model_name"] == "VBoxModel"
    assert "spam spam\n" in output_texts()
    assert "ready\n" in output_texts()
    assert streams(cells[3], "stdout") == "CHANGED\n"
    assert "Label(value='CHANGED')" in data(cells[3], "text/plain")[0]


def test_plotly_figures_as_on_colab(batch: Batch) -> None:
    _, cells, _ = batch.run("plotly.ipynb")
    # Colab's renderer: HTML that loads plotly.js from its CDN (the page serves its own)
    [scatter] = data(cells[0], "text/html")
    [bars] = data(cells[1], "text/html")
    for html, title in [(scatter, "Income and house value"), (bars, "Bars")]:
        assert 'class="plotly-graph-div"' in html and "Plotly.newPlot(" in html
        assert re.search(r'src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js"', html)
        assert f'"text":"{title}"' in html
    assert '"type":"bar"' in bars


def test_output_js_needs_a_browser(batch: Batch) -> None:
    """Headless, eval_js fails naming what it needs; the page runs it (the e2e test)."""
    result, cells, _ = batch.run("output_js.ipynb")
    assert "Error in cell 2:" in result.stderr
    assert "output.eval_js() needs a browser" in result.stderr
    assert streams(cells[0], "stdout") == "printed into the box\n"
    assert cells[2]["outputs"] == []
