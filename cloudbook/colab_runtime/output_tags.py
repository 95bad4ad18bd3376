"""Colab's output tags, for code that turns iopub messages into saved outputs.

``google.colab.output.use_tags`` sends a ``display_data`` with empty data and
``metadata.outputarea = {nodisplay: true, add_tags, remove_tags}``: not an
output, but a change of the cell's active tags, which every following output
carries. ``clear_output`` may then name ``output_tags``: only the outputs that
carry all of them are removed (a plain ``clear_output`` removes everything).
A collector keeps the active tags per cell, drops the markers, stores each
output's tags beside it and uses ``clear_removes`` for tagged clears.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def tag_change(content: Mapping[str, Any]) -> tuple[list[str], list[str]] | None:
    """(tags added, tags removed) when a display_data content is a tag marker, else None."""
    area = (content.get("metadata") or {}).get("outputarea")
    if not isinstance(area, Mapping) or not area.get("nodisplay"):
        return None
    return [str(t) for t in area.get("add_tags", ())], [str(t) for t in area.get("remove_tags", ())]


def apply_change(active: frozenset[str], content: Mapping[str, Any]) -> frozenset[str]:
    """The cell's active tags after a marker (unchanged for any other content)."""
    change = tag_change(content)
    if change is None:
        return active
    added, removed = change
    return (active | set(added)) - set(removed)


def clear_tags(content: Mapping[str, Any]) -> list[str]:
    """The tags a clear_output names ([] clears everything)."""
    return [str(t) for t in content.get("output_tags") or ()]


def clear_removes(output_tags: Iterable[str], tags_of_output: Iterable[str]) -> bool:
    """Whether a clear naming ``output_tags`` removes an output carrying ``tags_of_output``."""
    wanted = set(output_tags)
    return not wanted or wanted <= set(tags_of_output)
