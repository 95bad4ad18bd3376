"""`cloudbook run`: a notebook with a form as a parameterised headless job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)
CLOUDBOOK_RUN = [sys.executable, "-m", "cloudbook", "run"]


def code(source: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def write_nb(path: Path, *cells: dict[str, Any]) -> Path:
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": list(cells)})
    )
    return path


FORM = (
    "#@title Settings\n"
    'n = 3  #@param {type:"integer"}\n'
    'who = \'x\'  #@param ["x", "y"]\n'
    'ratio = 0.5  #@param {type:"slider", min:0, max:1, step:0.1}\n'
)


def run(
    tmp_path: Path, *args: str, stdin_file: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudbook", "run", *args, "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=170,
        env={**os.environ, "CLOUDBOOK_SANDBOX": "auto"},
    )


def stdout_of(cell: dict[str, Any]) -> str:
    return "".join(o["text"] for o in cell["outputs"] if o["output_type"] == "stream")


def test_params_override_form_fields_and_outputs_are_written(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "job.ipynb", code(FORM), code("print(n * 2, who, ratio)"))
    out = tmp_path / "done.ipynb"
    result = run(tmp_path, str(nb), "-p", "n=5", "-p", "who=y", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "[2/2]" in result.stderr
    executed = json.loads(out.read_text())
    assert stdout_of(executed["cells"][1]) == "10 y 0.5\n"
    assert 'n = 5  #@param {type:"integer"}' in executed["cells"][0]["source"]
    assert "who = 'y'  #@param" in executed["cells"][0]["source"]
    assert executed["cells"][1]["execution_count"] == 2


def test_a_relative_data_dir_works(tmp_path: Path) -> None:
    """`--data-dir ./data` from the job's folder: the sandbox's network helper and the
    runtime run elsewhere, so the path must mean the same folder to them."""
    write_nb(tmp_path / "job.ipynb", code("import os; print(os.getcwd())"))
    result = subprocess.run(
        [*CLOUDBOOK_RUN, "job.ipynb", "-o", "done.ipynb", "--data-dir", "./data"],
        capture_output=True,
        text=True,
        timeout=170,
        cwd=tmp_path,
        env={**os.environ, "CLOUDBOOK_SANDBOX": "auto"},
    )
    assert result.returncode == 0, result.stderr
    executed = json.loads((tmp_path / "done.ipynb").read_text())
    assert stdout_of(executed["cells"][0]) == "/content\n"
    assert (tmp_path / "data").is_dir()


def test_list_params(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "job.ipynb", code(FORM))
    result = run(tmp_path, "--list-params", str(nb))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["n", "who", "ratio"]
    assert lines[0].split("\t")[1:3] == ["integer", "default=3"]
    assert '"x","y"' in lines[1]


@pytest.mark.parametrize(
    ("param", "message"),
    [("n=abc", "-p n:"), ("who=z", "-p who:"), ("nope=1", "no form field"), ("n", "name=value")],
)
def test_bad_params_fail_before_anything_runs(tmp_path: Path, param: str, message: str) -> None:
    nb = write_nb(tmp_path / "job.ipynb", code(FORM), code("open('ran', 'w')"))
    result = run(tmp_path, str(nb), "-p", param)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "Starting a runtime" not in result.stderr
    assert not (tmp_path / "job.out.ipynb").exists()


def test_cell_error_stops_the_run_with_its_traceback(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "job.ipynb", code("x = 1"), code("1 / 0"), code("print('never')"))
    result = run(tmp_path, str(nb))
    assert result.returncode == 1
    assert "Error in cell 2" in result.stderr and "ZeroDivisionError" in result.stderr
    executed = json.loads((tmp_path / "job.out.ipynb").read_text())
    assert executed["cells"][1]["outputs"][0]["ename"] == "ZeroDivisionError"
    assert executed["cells"][2]["outputs"] == []


def test_input_needs_stdin_and_never_hangs(tmp_path: Path) -> None:
    nb = write_nb(tmp_path / "ask.ipynb", code("name = input('Name? ')\nprint('hi', name)"))
    result = run(tmp_path, str(nb))
    assert result.returncode == 1
    assert "Error in cell 1" in result.stderr and "--stdin" in result.stderr
    answers = tmp_path / "answers.txt"
    answers.write_text("Ada\nhunter2\n")
    nb = write_nb(
        tmp_path / "ask.ipynb",
        code(
            "import getpass as g\nname = input('Name? ')\n"
            "g.getpass('Password: ')\nprint('hi', name)"
        ),
    )
    result = run(tmp_path, str(nb), "--stdin", str(answers))
    assert result.returncode == 0, result.stderr
    executed = json.loads((tmp_path / "ask.out.ipynb").read_text())
    # The question and answer stay in the output, as in the page; a password does not.
    assert stdout_of(executed["cells"][0]) == "Name? Ada\nPassword: \nhi Ada\n"


def test_display_handle_updated_from_a_later_cell(tmp_path: Path) -> None:
    nb = write_nb(
        tmp_path / "handle.ipynb",
        code("h = display('first', display_id=True)"),
        code("h.update('second')"),
    )
    result = run(tmp_path, str(nb))
    assert result.returncode == 0, result.stderr
    executed = json.loads((tmp_path / "handle.out.ipynb").read_text())
    shown = executed["cells"][0]["outputs"]
    assert [o["data"]["text/plain"] for o in shown] == ["'second'"]
    assert executed["cells"][1]["outputs"] == []


def test_drive_mount_shows_the_users_drive(tmp_path: Path) -> None:
    drive = tmp_path / "data" / "drive" / "1"  # the first admin, created by the run
    drive.mkdir(parents=True)
    (drive / "in.txt").write_text("from the drive")
    nb = write_nb(
        tmp_path / "drive.ipynb",
        code(
            "from google.colab import drive\n"
            "drive.mount('/content/drive')\n"
            "print(open('/content/drive/MyDrive/in.txt').read())\n"
            "open('/content/drive/MyDrive/out.txt', 'w').write('written in a run')"
        ),
        code(
            "drive.mount('/content/ro', readonly=True)\n"
            "try:\n"
            "    open('/content/ro/MyDrive/nope.txt', 'w')\n"
            "except OSError as e:\n"
            "    print('refused', type(e).__name__)"
        ),
    )
    result = run(tmp_path, str(nb))
    assert result.returncode == 0, result.stderr
    executed = json.loads((tmp_path / "drive.out.ipynb").read_text())
    assert "from the drive" in stdout_of(executed["cells"][0])
    assert "refused" in stdout_of(executed["cells"][1])
    assert (drive / "out.txt").read_text() == "written in a run"
    assert not (drive / "nope.txt").exists()
