"""``%%bigquery`` without ``%load_ext``, as on Colab.

The real magic is bigquery-magics'; importing it costs a second of pandas and BigQuery
imports, so a kernel starts with this stand-in, which loads the extension on first use
(replacing itself) and hands the call over. The BigQuery endpoint comes from the
runtime's ``BIGQUERY_EMULATOR_HOST`` (the service's ``CLOUDBOOK_BIGQUERY_ENDPOINT``),
the credentials from ``auth.authenticate_user()``.
"""

from __future__ import annotations

from typing import Any


def bigquery_magic(line: str, cell: str | None = None) -> Any:
    from IPython import get_ipython
    from IPython.core.error import UsageError

    shell: Any = get_ipython()
    try:
        shell.extension_manager.load_extension("bigquery_magics")
    except ModuleNotFoundError:
        raise UsageError(
            "%%bigquery needs the bigquery-magics package: !pip install bigquery-magics"
        ) from None
    if cell is None:
        if shell.find_line_magic("bigquery") is bigquery_magic:
            raise UsageError("%bigquery is a cell magic: write %%bigquery on a cell's first line")
        return shell.run_line_magic("bigquery", line)
    return shell.run_cell_magic("bigquery", line, cell)


def register(shell: Any) -> None:
    if shell.find_cell_magic("bigquery") is None:
        shell.register_magic_function(bigquery_magic, magic_kind="line_cell", magic_name="bigquery")
