"""Running the notebooks of this folder with `cloudbook run`, and reading what they show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CLI = [sys.executable, "-m", "cloudbook", "run"]


def data_dir(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data")]


Cells = list[dict[str, Any]]


def _cloudbook_run(
    where: Path, name: str, args: Sequence[str], env: Mapping[str, str] | None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *CLI,
            str(HERE / name),
            "-o",
            str(where / f"{name}.out.ipynb"),
            "--data-dir",
            str(where / "data"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=380,
        env={**os.environ, "CLOUDBOOK_SANDBOX": "auto", **(env or {})},
    )


def _cells(where: Path, name: str) -> Cells:
    saved = json.loads((where / f"{name}.out.ipynb").read_text())
    return [c for c in saved["cells"] if c["cell_type"] == "code"]


def run_notebook(
    tmp_path: Path,
    name: str,
    *args: str,
    env: dict[str, str] | None = None,
    returncode: int = 0,
) -> tuple[subprocess.CompletedProcess[str], Cells]:
    """`cloudbook run` one of these notebooks; returns the process and the executed cells
    (the output notebook, NAME.out.ipynb, is written whether the run succeeds or fails)."""
    result = _cloudbook_run(tmp_path, name, args, env)
    assert result.returncode == returncode, result.stderr
    return result, _cells(tmp_path, name)


@dataclass
class Job:
    name: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    returncode: int = 0


class Batch:
    """Runs a set of notebooks side by side and hands each test its own result.

    One after another, most of each run is a runtime starting; side by side the set
    costs about what its CPU time does (docs/architecture.md, colabnb). Each image
    (CLOUDBOOK_RUNTIME_IMAGE, set by the `image` fixture) gets its own batch, run at
    the first test that asks for it.
    """

    def __init__(self, base: Path, jobs: list[Job], workers: int = 3) -> None:
        self.base = base
        self.jobs = {job.name: job for job in jobs}
        self.workers = workers
        self.done: dict[str, dict[str, subprocess.CompletedProcess[str]]] = {}

    def _where(self, image: str, name: str) -> Path:
        return self.base / image / name.removesuffix(".ipynb")

    def _run_all(self, image: str) -> dict[str, subprocess.CompletedProcess[str]]:
        def one(job: Job) -> subprocess.CompletedProcess[str]:
            where = self._where(image, job.name)
            where.mkdir(parents=True)
            return _cloudbook_run(where, job.name, job.args, job.env)

        with ThreadPoolExecutor(self.workers) as pool:
            results = pool.map(one, self.jobs.values())
            return dict(zip(self.jobs, results, strict=True))

    def run(self, name: str) -> tuple[subprocess.CompletedProcess[str], Cells, Path]:
        """The run of one notebook: the process, the executed cells, the saved notebook."""
        image = os.environ.get("CLOUDBOOK_RUNTIME_IMAGE", "minimal")
        if image not in self.done:
            self.done[image] = self._run_all(image)
        result = self.done[image][name]
        assert result.returncode == self.jobs[name].returncode, result.stderr
        where = self._where(image, name)
        return result, _cells(where, name), where / f"{name}.out.ipynb"


def shown(cell: dict[str, Any]) -> str:
    """The text a user sees under a cell (streams and plain-text results)."""
    parts = []
    for o in cell["outputs"]:
        if o["output_type"] == "stream":
            parts.append(o["text"])
        elif "data" in o:
            parts.append(o["data"].get("text/plain", ""))
    return "".join(parts)
