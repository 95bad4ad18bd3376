"""Grid: a table whose cells each receive outputs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from google.colab.output import _publish
from google.colab.widgets import _widget


class Grid(_widget.OutputAreaWidget):
    """A rows x columns table; ``with grid.output_to(r, c):`` sends outputs into a cell."""

    def __init__(
        self,
        rows: int,
        columns: int,
        header_row: bool = False,
        header_column: bool = False,
        style: str = "",
    ) -> None:
        self.rows = rows
        self.columns = columns
        self.header_row = header_row
        self.header_column = header_column
        self._style = style
        super().__init__()

    def _get_cell_id(self, row: int, col: int) -> str:
        return f"{self._id}-{row}-{col}"

    def _html(self) -> str:
        lines = [f'<table id="{self._id}" class="cloudbook-grid">']
        for row in range(self.rows):
            lines.append("<tr>")
            for col in range(self.columns):
                header = (row == 0 and self.header_row) or (col == 0 and self.header_column)
                tag = "th" if header else "td"
                lines.append(f'<{tag} id="{self._get_cell_id(row, col)}"></{tag}>')
            lines.append("</tr>")
        lines.append("</table>")
        return "".join(lines)

    def _publish(self) -> None:
        if self._published:
            return
        super()._publish()
        with self._output_in_widget():
            style = self._style.replace("<", "").replace("}", "")
            _publish.css(
                f"table#{self._id}, #{self._id} > tbody > tr > th,"
                f" #{self._id} > tbody > tr > td {{"
                f" border: 1px solid lightgray; border-collapse: collapse;"
                f" vertical-align: top; padding: 2px 4px; {style} }}"
            )
            _publish.html(self._html())

    def _check(self, row: int, col: int) -> None:
        if not (0 <= row < self.rows and 0 <= col < self.columns):
            raise _widget.WidgetException(
                f"Cell ({row}, {col}) is outside of boundaries of {self.rows}x{self.columns} grid"
            )

    @contextlib.contextmanager
    def output_to(self, row: int, column: int) -> Iterator[None]:
        """Send outputs inside the context to cell (row, column), 0-based."""
        self._check(row, column)
        with self._active_component(self._get_cell_id(row, column)):
            yield

    def clear_cell(self, row: int | None = None, col: int | None = None) -> None:
        """Clear cell (row, col); without arguments the cell being written."""
        if row is None:
            self._clear_component(None)
            return
        if row < 0 or row >= self.rows:
            raise ValueError(f"{row} is not a valid row")
        if col is None or col < 0 or col >= self.columns:
            raise ValueError(f"{col} is not a valid column")
        self._clear_component(self._get_cell_id(row, col))

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """Visit every cell in order, sending outputs to it: ``for row, col in grid:``."""
        self._publish()
        for row in range(self.rows):
            for col in range(self.columns):
                with self.output_to(row, col):
                    yield row, col

    def _populate(
        self,
        row_data: Iterable[Any],
        col_data: Iterable[Any],
        render: Callable[[Any, Any], Any],
        header_render: Callable[[Any], Any] | None = None,
    ) -> Grid:
        from google.colab.output._publish import display

        def show(result: Any) -> None:
            if result is not None:
                display(result)

        # Headers show as text (a name, not its repr with quotes).
        header = header_render or print
        rows, cols = list(row_data), list(col_data)
        row_offset, col_offset = int(self.header_row), int(self.header_column)
        if row_offset + len(rows) > self.rows or col_offset + len(cols) > self.columns:
            raise _widget.WidgetException(
                f"Can not fit {len(rows)}x{len(cols)} data into {self.rows}x{self.columns} grid. "
            )
        for grid_row, grid_col in self:
            r, c = grid_row - row_offset, grid_col - col_offset
            if r >= len(rows) or c >= len(cols) or (r < 0 and c < 0):
                continue
            if r < 0:
                show(header(cols[c]))
            elif c < 0:
                show(header(rows[r]))
            else:
                show(render(rows[r], cols[c]))
        return self


def create_grid(
    row_data: Iterable[Any],
    col_data: Iterable[Any],
    render: Callable[[Any, Any], Any],
    header_render: Callable[[Any], Any] | None = None,
    header_row: bool = True,
    header_column: bool = True,
) -> Grid:
    """A grid filled with ``render(row, col)`` for every pair, with headers."""
    rows, cols = list(row_data), list(col_data)
    grid = Grid(
        len(rows) + int(header_row),
        len(cols) + int(header_column),
        header_row=header_row,
        header_column=header_column,
    )
    return grid._populate(rows, cols, render, header_render)
