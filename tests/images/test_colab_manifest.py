"""The `colab` manifest: Colab's list with every deviation written down, and installable
for this host's Python (so CI fails when the list cannot be installed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudbook.images import manifest
from scripts.colab_manifest import LINE, found_deviations, normalise
from scripts.colab_manifest import manifest as generate
from tests.images.colab_image import colab_image_built

ROOT = Path(__file__).resolve().parents[2]
FREEZE = ROOT / "runtime-images" / "colab-pip-freeze.txt"
# Outside the clone: a resolve proven once for a manifest (and this Python) is not
# repeated by every CI run on the machine.
CACHE = Path(os.environ.get("CLOUDBOOK_TEST_CACHE", Path.home() / ".cache" / "cloudbook"))


def test_the_manifest_is_colabs_list_with_each_deviation_explained() -> None:
    colab = manifest.load("colab")
    assert colab.text == generate(FREEZE.read_text(), found_deviations()), (
        "runtime-images/colab.txt is out of date: python -m scripts.colab_manifest "
        "runtime-images/colab-pip-freeze.txt > runtime-images/colab.txt"
    )
    pinned = {}
    for line in colab.requirements:
        name, _, version = line.partition("==")
        pinned[normalise(name)] = version
    explained = {
        normalise(line.split(":", 1)[1].split("==")[0].split("@")[0].strip()): line
        for line in colab.text.splitlines()
        if line.startswith("# removed:")
    }
    for line in colab.text.splitlines():
        if "# deviation:" in line:
            explained[normalise(line.split("==")[0])] = line
    differing = []
    for raw in FREEZE.read_text().splitlines():
        m = LINE.match(raw.strip())
        if not m:
            continue
        name, op, version = m.groups()
        key = normalise(name)
        if op == "==" and pinned.get(key) == version:
            continue
        differing.append(key)
        assert key in explained, f"{name}: differs from Colab's list without a reason"
    assert len(colab.packages) > 600 and "torch" in differing
    for needed in ("sympy", "tensorflow", "torch", "jax", "portpicker", "ipywidgets"):
        assert needed in pinned
    # BigQuery, as on Colab (docs/runtime-images.md)
    for needed in ("google-cloud-bigquery", "bigquery-magics", "pandas-gbq"):
        assert needed in pinned
    # Colab's kernel stack, which cloudbook's runtime side and page support
    assert pinned["ipykernel"] == "6.17.1" and pinned["ipython"] == "7.34.0"
    assert pinned["ipywidgets"] == "7.7.1" and pinned["jupyter-server"] == "2.20.0"


@pytest.mark.timeout(2400)
def test_the_colab_manifest_resolves_for_this_python(tmp_path: Path) -> None:
    colab = manifest.load("colab")
    proof = CACHE / "manifest-resolves" / f"colab-{colab.digest}.json"
    if proof.exists() or colab_image_built():
        # Resolved already on this machine (the same manifest and Python), or installed:
        # a complete build of this digest installed exactly these pins.
        return
    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--quiet", "--report", str(report), "-r", str(colab.path)],
        capture_output=True, text=True, timeout=2300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    chosen = {
        normalise(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    for line in colab.requirements:
        name, _, version = line.partition("==")
        if version:
            assert chosen.get(normalise(name), "").split("+")[0] == version, line
    proof.parent.mkdir(parents=True, exist_ok=True)
    proof.write_text(json.dumps({"packages": len(chosen), "python": sys.version}))
