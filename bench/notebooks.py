"""Notebooks the browser benchmarks (and the browser tests that mirror them) open."""

from __future__ import annotations

from typing import Any

LAST_MARKER = "the very last output line"


def big_notebook(cells: int = 500, output_bytes: int = 10_000) -> dict[str, Any]:
    """`cells` code cells, each with about `output_bytes` of stream output (and a few
    coloured lines, as real output has); the last cell's output ends with LAST_MARKER."""
    out_cells = []
    for i in range(cells):
        lines = []
        size = 0
        j = 0
        while size < output_bytes:
            line = f"cell {i} line {j:4d} " + "x" * 40 + "\n"
            if j % 50 == 0:
                line = f"\x1b[32mcell {i} step {j}\x1b[0m ok\n"
            lines.append(line)
            size += len(line)
            j += 1
        if i == cells - 1:
            lines.append(LAST_MARKER + "\n")
        out_cells.append(
            {
                "cell_type": "code",
                "id": f"cell{i:04d}",
                "source": (
                    f"# cell {i}\nfor j in range({j}):\n"
                    f"    print(f'cell {i} line {{j:4d}} ' + 'x' * 40)"
                ),
                "metadata": {},
                "execution_count": i + 1,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "".join(lines)}],
            }
        )
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": out_cells,
    }
