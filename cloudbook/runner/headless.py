"""Run a notebook's code cells in order on a kernel, filling in outputs as a UI would."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cloudbook.runner.outputs import DisplayIndex, OutputCollector, input_echo
from cloudbook.runner.widgets import WidgetRecorder
from cloudbook.runtimes.kernel_client import KernelConnection, KernelDied, Message

# Every failure names the cell twice: ``index`` in the notebook (markdown included) and
# ``number``, the 1-based count among code cells that the progress lines show ("[3/5]").


@dataclass
class CellError(Exception):
    """A cell raised; carries what a terminal should show."""

    index: int
    ename: str
    evalue: str
    traceback: list[str]
    number: int


@dataclass
class MissingInput(Exception):
    index: int
    prompt: str
    number: int


@dataclass
class KernelLost(Exception):
    """The kernel died (crashed, was killed, ran out of memory) while the cell ran."""

    index: int
    number: int
    why: str


# (cell index, total code cells, the cell, seconds it took or None when starting)
ProgressListener = Callable[[int, int, dict[str, Any], float | None], None]


async def execute_notebook(
    nb: dict[str, Any],
    conn: KernelConnection,
    *,
    interrupt: Callable[[], Awaitable[None]],
    stdin_lines: list[str] | None = None,
    progress: ProgressListener | None = None,
) -> None:
    """Execute every code cell; stop at the first error (raised after outputs are stored)."""
    widgets = WidgetRecorder()
    try:
        await _execute_cells(nb, conn, widgets, interrupt, stdin_lines, progress)
    finally:
        widgets.save(nb)


async def _execute_cells(
    nb: dict[str, Any],
    conn: KernelConnection,
    widgets: WidgetRecorder,
    interrupt: Callable[[], Awaitable[None]],
    stdin_lines: list[str] | None,
    progress: ProgressListener | None,
) -> None:
    code_cells = [(i, c) for i, c in enumerate(nb.get("cells", [])) if c["cell_type"] == "code"]
    pending_input = list(stdin_lines or [])
    displays = DisplayIndex()
    for position, (index, cell) in enumerate(code_cells):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if progress:
            progress(position, len(code_cells), cell, None)
        missing: list[str] = []
        collector = OutputCollector()

        async def answer(
            msg: Message, missing: list[str] = missing, collector: OutputCollector = collector
        ) -> str | None:
            prompt = str(msg["content"].get("prompt", ""))
            if pending_input:
                value = pending_input.pop(0)
                # The question and its answer stay in the output, as in the page.
                collector.add(input_echo(prompt, value, bool(msg["content"].get("password"))))
                return value
            missing.append(prompt)
            await interrupt()  # input() then raises KeyboardInterrupt inside the kernel
            return None

        started = time.monotonic()

        def on_iopub(msg: Message, collector: OutputCollector = collector) -> None:
            if not widgets.add(msg):
                displays.apply(msg)
                collector.add(msg)

        try:
            result = await conn.execute(source, on_iopub=on_iopub, on_input=answer)
        except KernelDied as exc:
            cell["outputs"] = collector.finished()  # what it printed before dying stays
            raise KernelLost(index, position + 1, str(exc)) from None
        cell["outputs"] = collector.finished()
        displays.remember(collector, cell["outputs"])
        cell["execution_count"] = result.reply["content"].get("execution_count")
        if progress:
            progress(position, len(code_cells), cell, time.monotonic() - started)
        if missing:
            raise MissingInput(index, missing[0], position + 1)
        if result.status != "ok":
            content = result.reply["content"]
            raise CellError(
                index,
                str(content.get("ename", "Error")),
                str(content.get("evalue", "")),
                list(content.get("traceback", [])),
                position + 1,
            )
