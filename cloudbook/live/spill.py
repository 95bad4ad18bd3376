"""Full stream outputs that outgrew the shared document, kept as files beside the notebook.

They live in the service's data dir (``live_outputs/<notebook id>/``), not in the user's
drive: the drive is mounted into runtimes, where a kernel could read or replace them.
A file is named by a hash of the cell id (cell ids come from pages) and the stream name,
and is served only through ``GET /api/notebooks/{id}/outputs/{cell_id}/{stream}``, which
checks the notebook first. A rerun of the cell starts the file afresh.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import IO
from urllib.parse import quote

STREAM_NAMES = frozenset({"stdout", "stderr"})


def output_url(notebook_id: str, cell_id: str, name: str) -> str:
    return (
        f"/api/notebooks/{quote(notebook_id, safe='')}/outputs/"
        f"{quote(cell_id, safe='')}/{quote(name, safe='')}"
    )


class StreamSpill:
    """One stream's full text, appended as it arrives."""

    def __init__(self, path: Path, url: str) -> None:
        self.url = url
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        self._file: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8", errors="replace")

    def write(self, text: str) -> None:
        if self._file is not None:
            self._file.write(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class SpillFiles:
    """The full-output files of one notebook."""

    def __init__(self, root: Path, notebook_id: str) -> None:
        self.notebook_id = notebook_id
        self.folder = root / notebook_id
        self._open: list[StreamSpill] = []

    def path_of(self, cell_id: str, name: str) -> Path | None:
        if name not in STREAM_NAMES:
            return None
        digest = hashlib.sha256(cell_id.encode()).hexdigest()[:32]
        return self.folder / f"{digest}.{name}.txt"

    def open(self, cell_id: str, name: str) -> StreamSpill:
        path = self.path_of(cell_id, name)
        if path is None:
            raise ValueError(f"not a stream name: {name!r}")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        spill = StreamSpill(path, output_url(self.notebook_id, cell_id, name))
        self._open = [s for s in self._open if s._file is not None] + [spill]
        return spill

    def flush(self) -> None:
        for spill in self._open:
            spill.flush()

    def close(self) -> None:
        for spill in self._open:
            spill.close()
        self._open.clear()


def full_output_path(root: Path, notebook_id: str, cell_id: str, name: str) -> Path | None:
    """The file of a cut stream, or None when there is none."""
    path = SpillFiles(root, notebook_id).path_of(cell_id, name)
    return path if path is not None and path.is_file() else None


def forget_notebooks(root: Path, notebook_ids: Iterable[str]) -> None:
    """The notebooks are deleted forever: their full-output files go too."""
    for notebook_id in notebook_ids:
        folder = root / notebook_id
        # Ids are the service's own uuids; never follow a name out of the root.
        if folder.parent == root and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
