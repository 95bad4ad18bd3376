"""The .py export corpus is what nbconvert's script exporter writes (the frontend's
notebookToPython is checked against the same file by vitest)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import PythonExporter

HERE = Path(__file__).parent


def test_corpus_matches_nbconvert() -> None:
    nb = nbformat.read(HERE / "corpus.ipynb", as_version=4)
    body, _ = PythonExporter().from_notebook_node(nb)
    assert body == (HERE / "corpus.py").read_text(encoding="utf-8")
