"""The live document's per-cell content cache (cloudbook/live/content_cache.py) gives what
`YNotebook.get()` gives after every kind of change a page or the service makes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pycrdt import Array, Map, Text

from cloudbook.live.content_cache import ContentCache
from cloudbook.live.documents import build


def _notebook(cells: int) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": [
            {
                "cell_type": "code",
                "id": f"c{i}",
                "source": f"print({i})",
                "metadata": {},
                "execution_count": i,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{i}\n"}],
            }
            for i in range(cells)
        ],
    }


def _new_cell(ynb: Any, n: int) -> Map[Any]:
    return ynb.create_ycell(
        {"cell_type": "code", "id": f"new{n}", "source": f"x = {n}", "metadata": {}, "outputs": []}
    )


def _edit(ynb: Any, rng: random.Random, n: int) -> None:
    """One change as pages and the executor make them (some in one transaction)."""
    ycells: Array[Any] = ynb._ycells
    size = len(ycells)
    kind = rng.choice(["source", "output", "count", "meta", "insert", "delete", "move", "many"])
    i = rng.randrange(size) if size else 0
    with ynb.ydoc.transaction():
        if kind == "source" and size:
            text: Text = ycells[i]["source"]
            text.insert(rng.randrange(len(str(text)) + 1), "#")
        elif kind == "output" and size and ycells[i]["cell_type"] == "code":
            outputs: Array[Any] = ycells[i]["outputs"]
            outputs.append(Map({"output_type": "stream", "name": "stdout", "text": Array(["y"])}))
        elif kind == "count" and size and ycells[i]["cell_type"] == "code":
            ycells[i]["execution_count"] = n
        elif kind == "meta" and size:
            ycells[i]["metadata"] = Map({"tags": Array([f"t{n}"])})
        elif kind == "insert":
            ycells.insert(rng.randrange(size + 1), _new_cell(ynb, n))
        elif kind == "delete" and size:
            del ycells[i]
        elif kind == "move" and size > 1:
            # @jupyter/ydoc's move: the cell deleted and a copy inserted elsewhere
            copy = ynb.create_ycell(ynb.get_cell(i))
            del ycells[i]
            ycells.insert(rng.randrange(size), copy)
        elif kind == "many" and size > 2:
            ycells.insert(0, _new_cell(ynb, n))
            text = ycells[size]["source"]
            text += "!"
            del ycells[1]


def test_the_cache_gives_what_the_document_holds_after_every_kind_of_change() -> None:
    built = build(_notebook(30))
    ynb = built.ynotebook
    cache = ContentCache(ynb)
    assert cache.get() == ynb.get()
    rng = random.Random(7)
    for n in range(400):
        _edit(ynb, rng, n)
        if rng.random() < 0.4:
            assert cache.get() == ynb.get(), f"after change {n}"
    assert cache.get() == ynb.get()
    # The whole content replaced (a PUT or a restore: YNotebook.set).
    ynb.set(_notebook(5))
    assert cache.get() == ynb.get()
    ynb._ymeta["nbformat_minor"] = 4  # ids dropped for nbformat 4.4
    assert cache.get() == ynb.get()
    assert "id" not in cache.get()["cells"][0]
    cache.close()


def test_unchanged_cells_are_not_converted_again() -> None:
    built = build(_notebook(20))
    ynb = built.ynotebook
    cache = ContentCache(ynb)
    first = cache.get()
    ycells = ynb._ycells
    source: Text = ycells[3]["source"]
    source.insert(len(source), "\n# more")
    second = cache.get()
    same = [a is b for a, b in zip(first["cells"], second["cells"], strict=True)]
    assert same == [i != 3 for i in range(20)]
    assert second["cells"][3]["source"] == "print(3)\n# more"
    assert second == ynb.get()


def test_repeated_ids_are_renamed_as_the_document_does() -> None:
    built = build(_notebook(3))
    ynb = built.ynotebook
    cache = ContentCache(ynb)
    ynb._ycells.append(
        ynb.create_ycell({"cell_type": "code", "id": "c1", "source": "other", "metadata": {}})
    )
    with pytest.warns(UserWarning, match="Non-unique cell ID"):
        content = cache.get()
    ids = [c["id"] for c in content["cells"]]
    assert len(set(ids)) == 4
    assert content == ynb.get()
