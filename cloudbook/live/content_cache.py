"""A live document's content as Python, kept cell by cell between saves.

`YNotebook.get()` converts every cell from the Y document on each call: ~130 ms for the
500-cell, 5 MB bench notebook, on the event loop, at every save. A save comes right when
a page reopens a notebook it edited (the GET brings the file up to date first, and the
last page leaving saves too), so the reopening page waited on it. `ContentCache` keeps each
cell's converted dict and converts again only the cells the document changed since
(a deep observer on the cell list); the result equals `YNotebook.get()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook


class ContentCache:
    def __init__(self, ynotebook: YNotebook) -> None:
        self._nb = ynotebook
        ycells = ynotebook._ycells
        # One entry per cell of the document, in its order; None: convert it again.
        self._cells: list[dict[str, Any] | None] = [None] * len(ycells)
        # What `_cell_to_py` reads from the notebook's metadata (cell ids kept or not).
        self._format: tuple[int, int] | None = None
        self._subscription = ycells.observe_deep(self._changed)

    def _changed(self, events: list[Any]) -> None:
        try:
            self._apply(events)
        except Exception:
            self._format = None  # not followed: the next `get` converts every cell

    def _apply(self, events: list[Any]) -> None:
        # One event per changed type per transaction; the list's own event (no path) is a
        # delta against the list before the transaction, the cells' events give their
        # index after it: apply the first, then mark the others.
        for event in events:
            if not event.path:
                at = 0
                for step in event.delta:
                    if "retain" in step:
                        at += step["retain"]
                    elif "insert" in step:
                        added = len(step["insert"])
                        self._cells[at:at] = [None] * added
                        at += added
                    elif "delete" in step:
                        del self._cells[at : at + step["delete"]]
        for event in events:
            if event.path:
                index = event.path[0]
                if isinstance(index, int) and 0 <= index < len(self._cells):
                    self._cells[index] = None

    def get(self) -> dict[str, Any]:
        """The notebook as `YNotebook.get()` returns it. The cells' dicts are shared with
        later calls: callers must not change them (saving copies them)."""
        from jupyter_ydoc.utils import cast_all

        nb = self._nb
        ycells = nb._ycells
        meta = nb._ymeta.to_py() or {}
        cast_all(meta, float, int)
        fmt = (int(meta.get("nbformat", 0)), int(meta.get("nbformat_minor", 0)))
        if fmt != self._format or len(self._cells) != len(ycells):
            self._format = fmt
            self._cells = [None] * len(ycells)
        cells: list[dict[str, Any]] = []
        for i, cached in enumerate(self._cells):
            cell = cached if cached is not None else nb._cell_to_py(ycells[i], meta)
            self._cells[i] = cell
            cells.append(cell)
        ids = [c["id"] for c in cells if c.get("id")]
        if len(set(ids)) != len(ids):
            # Repeated cell ids: YNotebook.get renames them in the document; its way.
            return nb.get()
        return {
            "cells": cells,
            "metadata": meta.get("metadata", {}),
            "nbformat": fmt[0],
            "nbformat_minor": fmt[1],
        }

    def close(self) -> None:
        self._nb._ycells.unobserve(self._subscription)
