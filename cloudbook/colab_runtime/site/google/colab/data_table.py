"""``google.colab.data_table``: pandas DataFrames as an interactive table.

The table is a ``text/html`` output carrying its data as JSON and a small
self-contained script (resources/data_table.js: paging, sorting, filtering),
so it needs no network and renders the same in a saved notebook.
"""

from __future__ import annotations

import html
import importlib
import json
import math
import uuid
from importlib import resources
from typing import Any

__all__ = [
    "DataTable",
    "disable_dataframe_formatter",
    "enable_dataframe_formatter",
    "load_ipython_extension",
    "unload_ipython_extension",
]

_SAFE_INT = 2**53

_CSS = """
.cloudbook-data-table-root { font-size: 13px; }
.cloudbook-data-table-root .toolbar, .cloudbook-data-table-root .pager { margin: 4px 0; }
.cloudbook-data-table-root .scroll { overflow-x: auto; }
.cloudbook-data-table-root table { border-collapse: collapse; }
.cloudbook-data-table-root th, .cloudbook-data-table-root td {
  border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
.cloudbook-data-table-root thead th { cursor: pointer; background: #f5f5f5; user-select: none; }
.cloudbook-data-table-root thead th[aria-sort="ascending"]::after { content: " \\25B2"; }
.cloudbook-data-table-root thead th[aria-sort="descending"]::after { content: " \\25BC"; }
"""


def _cell(value: Any) -> Any:
    """A JSON value for one cell: numbers stay numbers (for sorting), the rest text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value if abs(value) < _SAFE_INT else str(value)
    if isinstance(value, float):
        return None if math.isnan(value) else (value if math.isfinite(value) else str(value))
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and type(value).__module__ == "numpy":
        return _cell(item())
    try:
        pd = importlib.import_module("pandas")
        if pd.isna(value):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return str(value)


def _numeric(dtype: Any) -> bool:
    kind = getattr(dtype, "kind", "")
    return kind in ("i", "u", "f")


class DataTable:
    """An interactive table of ``dataframe`` (display it, or make it a cell's last value)."""

    include_index = True
    num_rows_per_page = 25
    max_rows = 20000
    max_columns = 20
    min_width: str | None = None

    def __init__(
        self,
        dataframe: Any,
        include_index: bool | None = None,
        num_rows_per_page: int | None = None,
        max_rows: int | None = None,
        max_columns: int | None = None,
        min_width: str | None = None,
    ) -> None:
        self._dataframe = dataframe
        self._include_index = self.include_index if include_index is None else include_index
        self._num_rows_per_page = num_rows_per_page or self.num_rows_per_page
        self._max_rows = self.max_rows if max_rows is None else max_rows
        self._max_columns = self.max_columns if max_columns is None else max_columns
        self._min_width = min_width if min_width is not None else self.min_width

    @classmethod
    def formatter(cls, dataframe: Any, **kwargs: Any) -> str | None:
        """text/html for a DataFrame: the interactive table, or pandas' own when too big."""
        pd = importlib.import_module("pandas")

        if isinstance(dataframe.columns, pd.MultiIndex) or isinstance(
            dataframe.index, pd.MultiIndex
        ):
            return str(dataframe._repr_html_())
        rows, columns = dataframe.shape
        if rows > cls.max_rows or columns > cls.max_columns:
            return str(dataframe._repr_html_())  # too big for the table: pandas' own HTML
        return cls(dataframe, **kwargs)._repr_html_()

    def _frame(self) -> Any:
        df = self._dataframe
        if len(df.columns) > self._max_columns:
            print(
                f"Warning: Total number of columns ({len(df.columns)}) exceeds max_columns "
                f"({self._max_columns}) limiting to first ({self._max_columns}) columns."
            )
        if len(df) > self._max_rows:
            print(
                f"Warning: total number of rows ({len(df)}) exceeds max_rows "
                f"({self._max_rows}). Limiting to first ({self._max_rows}) rows."
            )
        return df.iloc[: self._max_rows, : self._max_columns]

    def _spec(self) -> dict[str, Any]:
        df = self._frame()
        index_levels = df.index.nlevels if self._include_index else 0
        if index_levels:
            names = [str(n) if n is not None else "" for n in df.index.names]
            index_values = [list(v) if isinstance(v, tuple) else [v] for v in df.index.tolist()]
        else:
            names, index_values = [], [[] for _ in range(len(df))]
        columns = [{"name": n, "numeric": _numeric(df.index.dtype), "index": True} for n in names]
        columns += [
            {"name": str(name), "numeric": _numeric(dtype), "index": False}
            for name, dtype in zip(df.columns, df.dtypes, strict=True)
        ]
        values = df.to_numpy(dtype=object).tolist() if df.shape[1] else [[] for _ in range(len(df))]
        rows = [
            [_cell(v) for v in index] + [_cell(v) for v in row]
            for index, row in zip(index_values, values, strict=True)
        ]
        return {
            "columns": columns,
            "rows": rows,
            "rowsPerPage": int(self._num_rows_per_page),
            "total": len(self._dataframe),
        }

    def _repr_html_(self) -> str:
        table_id = "datatable-" + uuid.uuid4().hex
        data = json.dumps(self._spec(), allow_nan=False).replace("</", "<\\/")
        script = resources.files("google.colab").joinpath("resources/data_table.js")
        width = f"min-width:{html.escape(self._min_width)};" if self._min_width else ""
        return (
            f"<style>{_CSS}</style>"
            f'<div id="{table_id}" class="cloudbook-data-table-root" style="{width}"></div>'
            f'<script type="application/json" id="{table_id}-data">{data}</script>'
            f"<script>{script.read_text('utf-8')}\n"
            f"cloudbookDataTable(document.getElementById({json.dumps(table_id)}),"
            f" JSON.parse(document.getElementById({json.dumps(table_id + '-data')}).textContent));"
            f"</script>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self._dataframe)}


_original: list[Any] = []


def enable_dataframe_formatter() -> None:
    """Show every pandas DataFrame as an interactive table."""
    pd = importlib.import_module("pandas")
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or _original:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    # By type: pandas 3 reports DataFrame's module as "pandas", not pandas.core.frame.
    _original.append(formatter.for_type(pd.DataFrame, DataTable.formatter))


def disable_dataframe_formatter() -> None:
    """Show DataFrames as pandas does again."""
    pd = importlib.import_module("pandas")
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not _original:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    previous = _original.pop()
    formatter.pop(pd.DataFrame, None)
    if previous is not None:
        formatter.for_type(pd.DataFrame, previous)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext google.colab.data_table``."""
    enable_dataframe_formatter()


def unload_ipython_extension(ipython: Any) -> None:
    disable_dataframe_formatter()
