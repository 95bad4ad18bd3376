"""Notebooks written the way Colab users write them, run headless with `cloudbook run`.

Each notebook here is also what a user would upload; the browser-only ones (widgets,
data_table) are tested in tests/e2e/test_colab_notebooks.py. More notebooks, run side by
side, are in test_colab_style.py; the `image` fixture is in conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.colab.wheels import build_wheel
from tests.colab_notebooks.runs import CLI, HERE, data_dir, run_notebook, shown

pytestmark = pytest.mark.timeout(400)


def test_files(tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("name,age\nAda,36\nAlan,41\nGrace,85\n")
    _, cells = run_notebook(tmp_path, "files.ipynb", "--upload", f"people.csv={csv}")
    assert shown(cells[0]) == (
        'Saving people.csv to people.csv\nUser uploaded file "people.csv" with length 33 bytes\n'
    )
    assert shown(cells[1]) == "(3, 2)\ntotal age: 162\n"
    assert shown(cells[2]) == "/content/people.csv\n4\n"
    assert shown(cells[3]).startswith("longitude,latitude,housing_median_age,to\n")
    assert "files.download('report.txt'): headless run" in shown(cells[4])


def test_files_without_an_upload_fails_naming_the_option(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, str(HERE / "files.ipynb"), "-o", str(tmp_path / "o.ipynb"), *data_dir(tmp_path)],
        capture_output=True,
        text=True,
        timeout=380,
        env={**os.environ, "CLOUDBOOK_SANDBOX": "auto"},
    )
    assert result.returncode == 1
    # the first code cell, numbered as the progress shows it ("[1/N]"; markdown not counted)
    assert "Error in cell 1:" in result.stderr and "--upload NAME=PATH" in result.stderr


def test_drive(tmp_path: Path) -> None:
    drive = tmp_path / "data" / "drive" / "1"  # the first admin, created by the run
    drive.mkdir(parents=True)
    (drive / "notes.txt").write_text("remember the milk\n")
    _, cells = run_notebook(tmp_path, "drive.ipynb")
    assert [shown(c) for c in cells] == [
        "Mounted at /content/drive\n",
        "notes.txt\n",
        "remember the milk\n",
        "['summary.txt']\n",
        "unmounted\n",
    ]
    assert (drive / "results" / "summary.txt").read_text() == "written from a notebook\n"


def test_output_tags_and_clears(tmp_path: Path) -> None:
    _, cells = run_notebook(tmp_path, "output.ipynb")
    assert [shown(c) for c in cells] == [
        "Starting\nFinished\n",
        "Only this stays\n",
        "tagged a\nuntagged\n",
        "after clear_output\n",
    ]


def test_userdata_secret_from_a_file(tmp_path: Path) -> None:
    secret = "sk-test-0123456789abcdef"
    key_file = tmp_path / "api_key.txt"
    key_file.write_text(secret)
    result, cells = run_notebook(tmp_path, "userdata.ipynb", "--secret", f"API_KEY=@{key_file}")
    assert shown(cells[0]) == "Loaded a key of 24 characters starting with sk-\n"
    assert shown(cells[1]).startswith("Not found: Secret NOT_THERE does not exist.")
    # the value is nowhere but in the kernel's memory
    saved = (tmp_path / "userdata.ipynb.out.ipynb").read_text()
    assert secret not in saved and secret not in result.stderr and secret not in result.stdout
    assert not list((tmp_path / "data" / "runtimes").glob("*")), "runtime files left behind"


def test_bad_secret_or_upload_fails_before_a_runtime_starts(tmp_path: Path) -> None:
    for args, message in [
        (["--secret", "API_KEY"], "expected KEY=VALUE"),
        (["--secret", "bad key=1"], "not a usable secret name"),
        (["--secret", f"API_KEY=@{tmp_path / 'nope.txt'}"], "--secret API_KEY: cannot read"),
        (["--upload", "people.csv"], "expected NAME=PATH"),
        (["--upload", f"x.csv={tmp_path / 'missing.csv'}"], "no such file"),
        (["--upload", f"../x.csv={tmp_path}"], "plain file name"),
    ]:
        result = subprocess.run(
            [*CLI, str(HERE / "userdata.ipynb"), *args, *data_dir(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Starting a runtime" not in result.stderr


def test_shell_and_pip(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for version in ("1.0", "2.0"):
        build_wheel(
            wheels,
            "cbdemo",
            version,
            {"cbdemo/__init__.py": f"def greet():\n    return 'hello from cbdemo {version}'\n"},
        )
    env = {"PIP_FIND_LINKS": str(wheels)}
    _, cells = run_notebook(tmp_path, "shell_and_pip.ipynb", "-p", "version=1.0", env=env)
    texts = [shown(c) for c in cells]
    assert texts[0] == "Hello from the shell\n/content\n"
    assert texts[1] == "6 sample files; first: README.md\n"
    assert texts[2] == "step 1\nstep 2\nstep 3\n"
    assert cells[3]["source"].startswith("#@title Package version\nversion = '1.0'")
    assert texts[5] == "hello from cbdemo 1.0\n"
    assert texts[6] == "Name: cbdemo\nVersion: 1.0\n"
    # upgrading what is already imported: Colab's restart warning
    assert texts[7] == (
        "WARNING: The following packages were previously imported in this runtime:\n"
        "  [cbdemo]\nYou must restart the runtime in order to use newly installed versions."
    )
    [warning] = [o for o in cells[7]["outputs"] if o["output_type"] == "display_data"]
    assert warning["data"]["application/vnd.colab-display-data+json"] == {
        "pip_warning": {"packages": ["cbdemo"]}
    }
    assert texts[8] == "env: GREETING=hi there\nhi there\n"
