"""How runtimes get google.colab: kernelspec, environment, namespace package, sample data."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from cloudbook.colab_runtime import (
    JUPYTER_DATA_DIR,
    SAMPLE_DATA_DIR,
    SITE_DIR,
    install_sample_data,
    runtime_env,
)
from tests.colab.kernel import kernel_spec_manager


def test_jupyter_path_kernelspec_shadows_ipykernels_own() -> None:
    spec = kernel_spec_manager().get_kernel_spec("python3")
    assert Path(spec.resource_dir) == JUPYTER_DATA_DIR / "kernels" / "python3"
    assert spec.argv[-1] == "--IPKernelApp.extensions=google.colab"
    assert spec.argv[0] == "python"  # jupyter_client runs it with the server's interpreter


def test_runtime_env() -> None:
    env = runtime_env(
        runtime_id="rt1",
        packages_dir="/packages",
        drive_path="/drive",
        drive_ro_path="/drive-ro",
        headless=True,
        pythonpath="/extra",
    )
    assert env == {
        "PYTHONPATH": f"{SITE_DIR}{os.pathsep}/extra",
        "JUPYTER_PATH": str(JUPYTER_DATA_DIR),
        "CLOUDBOOK_RUNTIME_ID": "rt1",
        "CLOUDBOOK_PACKAGES_DIR": "/packages",
        "CLOUDBOOK_DRIVE_PATH": "/drive",
        "CLOUDBOOK_DRIVE_RO_PATH": "/drive-ro",
        "CLOUDBOOK_HEADLESS": "1",
        "PLOTLY_RENDERER": "colab",  # fig.show() draws as on Colab, plotly.js from the service
        "PYTHONDONTWRITEBYTECODE": "1",  # no stale .pyc of a module rewritten within a second
    }
    assert "CLOUDBOOK_HEADLESS" not in runtime_env(runtime_id="r", packages_dir="/p")


def test_google_is_a_namespace_shared_with_other_packages(tmp_path: Path) -> None:
    other = tmp_path / "google" / "cloud_fake"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("NAME = 'other google package'\n")
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "import google.colab\n"
        "elapsed = time.perf_counter() - t\n"
        "import google.cloud_fake\n"
        "print(google.cloud_fake.NAME)\n"
        "print(sorted(m for m in sys.modules if m.startswith('google.colab.')))\n"
        "print(google.colab.syntax.sql('x'), elapsed < 0.5)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SITE_DIR), str(tmp_path)]))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == ["other google package", "[]", "x True"]
    assert not (SITE_DIR / "google" / "__init__.py").exists()


def test_sample_data(tmp_path: Path) -> None:
    total = sum(p.stat().st_size for p in SAMPLE_DATA_DIR.iterdir())
    assert total < 1_000_000
    target = install_sample_data(tmp_path)
    assert target == tmp_path / "sample_data"
    (target / "README.md").write_text("edited by the user")
    install_sample_data(tmp_path)  # once per runtime: never overwrites
    assert (target / "README.md").read_text() == "edited by the user"
    with open(target / "california_housing_train.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 600 and float(rows[0]["median_house_value"]) > 0
    with open(target / "mnist_test.csv", newline="") as f:
        digits = list(csv.reader(f))
    assert len(digits) == 50 and all(len(r) == 785 for r in digits)
    assert all(0 <= int(v) <= 255 for v in digits[7][1:])
    quartet = json.loads((target / "anscombe.json").read_text())
    assert len(quartet) == 44 and {r["Series"] for r in quartet} == {"I", "II", "III", "IV"}
