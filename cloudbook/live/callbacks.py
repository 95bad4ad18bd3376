"""Outputs of callbacks (a widget Button's ``on_click`` printing), into the cell showing it.

A click in a cell's output frame reaches the kernel as a message the page sends on its own
kernel socket (an ipywidgets or Colab ``comm_msg``, or the ``execute_request`` of
``google.colab.kernel.invokeFunction``), so what the callback prints is parented to the
page's message, not to a run of the executor. The page marks the header of each such
message with the frame's cell (``cloudbook_cell``); Jupyter kernels copy the request's
header into each output's ``parent_header``, so the executor (which hears iopub like every
connection) knows where those outputs go and writes them into the document, as Colab shows
them under the cell that displayed the widget. The page no longer draws them itself, and
they arrive even when the tab that clicked has been closed meanwhile.

Anything on iopub can carry any parent header, so what a callback may write is bounded:
only a code cell of this executor's own document that shows an active output (a widget,
HTML or JavaScript: where a click can come from), and per cell at most
``stream_max_bytes`` of stream text and ``max_bytes`` of output in all until the cell
runs again; past that one marker says so and the rest is dropped (no spill file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudbook.live.cell_outputs import CellOutputs

if TYPE_CHECKING:
    from pycrdt import Map

    from cloudbook.live.displays import DisplayRegistry

Content = dict[str, Any]

CELL_KEY = "cloudbook_cell"  # header field the page sets on what a frame sends
# Requests whose outputs are a callback's (with the mark); execute_request: invokeFunction.
PARENTS = frozenset({"comm_msg", "comm_open", "comm_close", "execute_request"})
# What a callback shows (an invokeFunction's execute_result is its value, not an output).
KINDS = frozenset({"stream", "display_data", "error", "clear_output"})
# Outputs drawn in the cell's output frame, which may talk to the kernel.
ACTIVE_MIMES = (
    "application/vnd.jupyter.widget-view+json",
    "text/html",
    "application/javascript",
)


def callback_cell(parent: Any) -> str | None:
    """The cell a message's parent says it belongs to, when the parent is a callback's."""
    if not isinstance(parent, dict) or parent.get("msg_type") not in PARENTS:
        return None
    cell_id = parent.get(CELL_KEY)
    return cell_id if isinstance(cell_id, str) and cell_id else None


def cut_marker(max_bytes: int) -> str:
    return (
        f"\n[output cut: this cell's widget callbacks passed {max_bytes // 1024} KiB;"
        " the rest is not shown]\n"
    )


@dataclass
class _Budget:
    stream: int = 0
    total: int = 0
    cut: bool = False


class CallbackOutputs:
    """Callback outputs waiting to be written, and what each cell's callbacks wrote."""

    def __init__(
        self,
        cell: Callable[[str], Map[Any] | None],
        displays: DisplayRegistry,
        *,
        stream_max_bytes: int,
        max_bytes: int,
    ) -> None:
        self._cell = cell
        self.displays = displays
        self.stream_max_bytes = stream_max_bytes
        self.max_bytes = max_bytes
        # (cell id, kind, content) in the order they came, across callbacks.
        self._pending: list[tuple[str, str, Content]] = []
        self._budgets: dict[str, _Budget] = {}  # by cell id, since the cell last ran

    @property
    def waiting(self) -> bool:
        return bool(self._pending)

    def add(self, cell_id: str, kind: str, content: Content) -> None:
        self._pending.append((cell_id, kind, content))

    def ran(self, cell_id: str) -> None:
        """The cell runs anew: its outputs are cleared, and so is what callbacks wrote."""
        self._budgets.pop(cell_id, None)

    def flush(self, running: Callable[[str], CellOutputs | None]) -> bool:
        """Writes what waits (inside the caller's transaction); True when anything was.
        ``running(cell_id)``: the outputs of that cell's current run, if it runs now (a
        callback's output then goes through them, in order with the run's own)."""
        pending, self._pending = self._pending, []
        wrote = False
        writers: dict[str, CellOutputs | None] = {}
        for cell_id, kind, content in pending:
            budget = self._budgets.get(cell_id)
            if budget is not None and budget.cut:
                continue
            if cell_id not in writers:
                writers[cell_id] = self._writer(self._cell(cell_id), cell_id, running)
            outputs = writers[cell_id]
            if outputs is not None:
                budget = self._budgets.setdefault(cell_id, _Budget())
                wrote = self._write(outputs, budget, kind, content) or wrote
        return wrote

    def _writer(
        self,
        ycell: Map[Any] | None,
        cell_id: str,
        running: Callable[[str], CellOutputs | None],
    ) -> CellOutputs | None:
        """Who writes into the cell, or None when callbacks may not."""
        if ycell is None or ycell.get("cell_type") != "code":
            return None
        # A cell a callback wrote to before may have cleared its widget (clear_output,
        # then display the button again): it stays a callback's cell until it runs.
        if cell_id not in self._budgets and not _shows_active(ycell):
            return None
        return running(cell_id) or CellOutputs(
            ycell, cell_id, self.displays, None, self.stream_max_bytes, keep=True
        )

    def _write(self, outputs: CellOutputs, budget: _Budget, kind: str, content: Content) -> bool:
        if budget.cut:
            return False
        stream = kind == "stream"
        if stream:
            size = len(str(content.get("text", "")).encode())
        else:
            size = len(json.dumps(content, default=str))
        limit = None
        if stream and budget.stream + size > self.stream_max_bytes:
            limit = self.stream_max_bytes
        elif budget.total + size > self.max_bytes:
            limit = self.max_bytes
        if limit is not None:
            budget.cut = True
            outputs.add_text("stderr", cut_marker(limit))
            return True
        budget.total += size
        if stream:
            budget.stream += size
        outputs.add(kind, content)
        return True


def _shows_active(ycell: Map[Any]) -> bool:
    """A cell with an active output (where a click can come from)."""
    from pycrdt import Array, Map

    outputs = ycell.get("outputs")
    if not isinstance(outputs, Array):
        return False
    for output in outputs:
        data = output.get("data") if isinstance(output, Map) else None
        if isinstance(data, dict) and any(mime in data for mime in ACTIVE_MIMES):
            return True
    return False
