"""Outputs by display id, over every cell of one notebook, for ``update_display_data``.

A display id is transient in Jupyter (never saved), so an executor that knew a display
only from memory would lose it whenever it is replaced: the document closed after its
last page and reopened, the service restarted, the runtime changed. Each output shown
with a display id therefore carries it in its metadata (``metadata.cloudbook.display_id``,
saved with the notebook), and the registry rebuilds what it does not know from the
document itself: an update reaches every output showing that display, in every cell, by
whichever executor runs now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pycrdt import Map

Content = dict[str, Any]

# Output metadata key holding cloudbook's own facts about an output.
META_KEY = "cloudbook"


def tagged_metadata(metadata: Any, display_id: str) -> Content:
    """The output's metadata with its display id recorded."""
    out: Content = dict(metadata) if isinstance(metadata, dict) else {}
    own = out.get(META_KEY)
    out[META_KEY] = {**(own if isinstance(own, dict) else {}), "display_id": display_id}
    return out


def display_id_of(output: Map[Any]) -> str | None:
    metadata = output.get("metadata")
    own = metadata.get(META_KEY) if isinstance(metadata, dict) else None
    value = own.get("display_id") if isinstance(own, dict) else None
    return value if isinstance(value, str) and value else None


class DisplayRegistry:
    """Outputs by display id. ``cells`` gives the document's cells (pycrdt Maps): the
    registry indexes them at its first update, and again when outputs it knew are gone
    (cleared, or their cell replaced by an API write or a restore)."""

    def __init__(self, cells: Callable[[], Iterable[Map[Any]]] | None = None) -> None:
        self._cells = cells
        self._indexed = False
        self._by_id: dict[str, list[Map[Any]]] = {}

    def add(self, display_id: str, output: Map[Any]) -> None:
        self._by_id.setdefault(display_id, []).append(output)

    def update(self, display_id: str, content: Content) -> None:
        """New data and metadata for every output still showing this display."""
        known = self._by_id.get(display_id, [])
        alive = [o for o in known if o.get("output_type") is not None]
        if not self._indexed or len(alive) != len(known):
            self._index()
            alive = self._by_id.get(display_id, [])
        for output in alive:
            output["data"] = content.get("data", {})
            output["metadata"] = tagged_metadata(content.get("metadata", {}), display_id)
        if alive:
            self._by_id[display_id] = alive
        else:
            self._by_id.pop(display_id, None)

    def _index(self) -> None:
        """Every output of the document that shows a display (a removed map reads as
        empty, so what was cleared or deleted drops out)."""
        self._indexed = True
        if self._cells is None:
            self._by_id = {
                key: kept
                for key, outputs in self._by_id.items()
                if (kept := [o for o in outputs if o.get("output_type") is not None])
            }
            return
        from pycrdt import Array, Map

        found: dict[str, list[Map[Any]]] = {}
        for ycell in self._cells():
            outputs = ycell.get("outputs")
            if not isinstance(outputs, Array):
                continue
            for output in outputs:
                if isinstance(output, Map):
                    display_id = display_id_of(output)
                    if display_id is not None and output.get("output_type") is not None:
                        found.setdefault(display_id, []).append(output)
        self._by_id = found
