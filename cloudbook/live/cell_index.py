"""A live document's cells by id, kept while it holds.

Indexing every cell costs ~8 ms in a 500-cell notebook (each map read is a call into the
CRDT), and the executor looks cells up several times per run. A kept map is trusted while
it still reads its id: a deleted or moved cell (moves delete and re-insert) reads as
empty, and ``YNotebook.set`` (API writes, restores) updates cells in place. A miss
indexes again only when the cell list changed since the last index (a shallow observer):
a kernel naming made-up cells in callback parent headers costs a dict lookup each time.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook
    from pycrdt import Map


class CellIndex:
    def __init__(self, ynotebook: YNotebook) -> None:
        self._cells = ynotebook.ycells
        self._by_id: dict[str, Map[Any]] = {}
        self._stale = True  # cells added, removed or moved since the index was built
        self._watch = self._cells.observe(self._changed)

    def get(self, cell_id: str) -> Map[Any] | None:
        kept = self._by_id.get(cell_id)
        if kept is not None and kept.get("id") == cell_id:
            return kept
        if kept is None and not self._stale:
            return None
        self._by_id = {str(c.get("id")): c for c in self._cells}
        self._stale = False
        return self._by_id.get(cell_id)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._cells.unobserve(self._watch)

    def _changed(self, _event: Any) -> None:
        self._stale = True
