"""The service runs a notebook's cells: one executor per open notebook and kernel.

An executor holds its own connection to the runtime's kernel (over the runtime's Unix
socket, cloudbook.runtimes.connect), a queue of cells, and the notebook's shared
document. It sends one ``execute_request`` at a time and writes what comes back into the
document as it arrives: outputs (cloudbook.live.cell_outputs), the execution count, the
cell's ``execution_state`` ("queued", "running", "waiting" for an answer, "idle") and
Colab's ``metadata.executionInfo``. Pages only view the document, so closing every tab
changes nothing: the executor keeps writing and the document keeps being saved.

Streams are written in batches (``flush_interval``): a cell printing 100,000 lines costs
the document a few transactions per second, not one per line. Other outputs are written
at once, after any stream text before them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from cloudbook.live.callbacks import KINDS as CALLBACK_KINDS
from cloudbook.live.callbacks import CallbackOutputs, callback_cell
from cloudbook.live.cell_index import CellIndex
from cloudbook.live.cell_outputs import CellOutputs
from cloudbook.live.displays import DisplayRegistry
from cloudbook.live.output_widgets import OutputWidgets
from cloudbook.live.pending import PendingRequest, colab_request, input_request
from cloudbook.runtimes.kernel_client import (
    FrameFilter,
    KernelConnection,
    Message,
    new_message,
)

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook
    from pycrdt import Map

    from cloudbook.live.spill import SpillFiles
    from cloudbook.runtimes.provider import Runtime

log = logging.getLogger("cloudbook.live")

REQUESTS_MAP = "executor_requests"  # top-level map of the document: pending questions
SOURCE_WAIT = 2.0  # seconds a run waits for the asking page's last edit to arrive


class ExecutableDocument(Protocol):
    """What an executor needs of a live document (cloudbook.live.documents)."""

    @property
    def ynotebook(self) -> YNotebook: ...

    def changed(self) -> None: ...


@dataclass(frozen=True)
class Requester:
    """Who asked for a run: recorded in executionInfo, and the only one who may answer."""

    user_id: int
    name: str
    client_id: int | None = None
    user_tz: int = 0


@dataclass
class _Run:
    cell_id: str
    requester: Requester
    ycell: Map[Any]
    msg_id: str
    outputs: CellOutputs
    started: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    reply: Message | None = None
    idle: bool = False
    count: int | None = None
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    began: bool = False  # execute_input seen: the kernel runs it (not aborted)
    aborted: bool = False

    def check_done(self) -> None:
        if self.idle and (self.reply is not None or not self.began):
            # Idle with no execute_input: the kernel aborted the request (ipykernel 7
            # aborts the first request after an interrupt, sometimes without a reply).
            self.aborted = self.reply is None or self.reply["content"].get("status") == "aborted"
            self.done.set()


class NotebookExecutor:
    def __init__(
        self,
        document: ExecutableDocument,
        runtime: Runtime,
        kernel_id: str,
        *,
        spills: SpillFiles | None = None,
        stream_max_bytes: int = 2 * 1024 * 1024,
        flush_interval: float = 0.05,
        on_activity: Callable[[], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        output_cap: FrameFilter | None = None,
        callback_max_bytes: int = 32 * 1024 * 1024,
    ) -> None:
        self.document = document
        self.runtime = runtime
        self.kernel_id = kernel_id
        self.spills = spills
        self.stream_max_bytes = stream_max_bytes
        self.flush_interval = flush_interval
        self.on_activity = on_activity or (lambda: None)
        # Called when the queue drains (or the executor stops): the registry lets go of
        # the document and the runtime then.
        self.on_idle = on_idle or (lambda: None)
        self.displays = DisplayRegistry(lambda: self.document.ynotebook.ycells)
        self.output_widgets = OutputWidgets()
        self.callbacks = CallbackOutputs(
            self._cell,
            self.displays,
            stream_max_bytes=stream_max_bytes,
            max_bytes=callback_max_bytes,
        )
        # The binary v1 framing, as browsers use: the Jupyter server then passes message
        # parts through without decoding and re-encoding each one as JSON.
        # The same output caps as the kernel proxy's (CLOUDBOOK_OUTPUT_*_MAX_BYTES): what
        # a runaway print sends past the cell's cap is dropped here, before the document
        # or a spill file sees it.
        self.conn = KernelConnection.to_runtime(runtime, kernel_id, "v1", frame_filter=output_cap)
        self._queue: list[tuple[str, Requester]] = []
        self._wake = asyncio.Event()
        self._current: _Run | None = None
        self._requests: dict[str, PendingRequest] = {}
        self._expected: dict[str, str] = {}
        self._index = CellIndex(document.ynotebook)
        self._closing: asyncio.Task[None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.closed = False

    # --- life -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.conn.__aenter__()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._read()), loop.create_task(self._work())]

    async def close(self) -> None:
        """Stop (the kernel keeps running); cells still queued or running become idle."""
        if self.closed:
            return
        self.closed = True
        # The run ends with a note first (a cancelled wait would end it without one).
        self._end_all(
            "ServiceStopped", "The service stopped while this cell ran: later output is lost."
        )
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._index.close()
        with contextlib.suppress(Exception):
            await self.conn.__aexit__()
        if self.spills is not None:
            self.spills.close()

    @property
    def usable(self) -> bool:
        """Neither closed nor on its way out (a restart retires the connection)."""
        return not self.closed and self._closing is None

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue)

    def state(self) -> dict[str, Any]:
        return {
            "running": self._current.cell_id if self._current else None,
            "queued": [cell_id for cell_id, _ in self._queue],
            "requests": {rid: r.to_doc() for rid, r in self._requests.items()},
        }

    # --- what routes call -------------------------------------------------------------

    def enqueue(
        self,
        cell_ids: list[str],
        requester: Requester,
        sources: dict[str, str] | None = None,
    ) -> list[str]:
        """Queue the code cells among ``cell_ids`` (in that order); returns those queued.

        ``sources``: what the asking page shows in those cells. Its last keystrokes travel
        on its live-document socket, not with this request, so a run waits (briefly) for
        the document to hold that text before reading it (``SOURCE_WAIT``)."""
        if sources:
            self._expected.update(sources)
        if self.closed:
            raise RuntimeError("executor closed")
        queued: list[str] = []
        with self._doc.transaction():
            for cell_id in cell_ids:
                ycell = self._cell(cell_id)
                if ycell is None or ycell.get("cell_type") != "code":
                    continue
                if cell_id in (c for c, _ in self._queue):
                    continue
                if self._current is not None and self._current.cell_id == cell_id:
                    continue
                ycell["execution_state"] = "queued"
                self._queue.append((cell_id, requester))
                queued.append(cell_id)
        if queued:
            self.document.changed()
            self._wake.set()
        return queued

    def cancel_queued(self) -> None:
        self._drop_queue()

    def request_of(self, request_id: str) -> PendingRequest | None:
        return self._requests.get(request_id)

    async def answer(self, request_id: str, value: Any) -> bool:
        """Send the answer to a pending question (the caller checked who answers)."""
        request = self._requests.pop(request_id, None)
        run = self._current
        if request is None or run is None:
            return False
        await self.conn.send(request.reply(value, self.conn.session))
        with self._doc.transaction():
            self._flush(run)
            if request.kind == "input":
                # The question and its answer stay in the output (never a password).
                shown = "" if request.password else str(value)
                run.outputs.add_text("stdout", f"{request.prompt}{shown}\n")
            self._forget_request(request_id)
            if not any(r in self._requests for r in run.requests):
                run.ycell["execution_state"] = "running"
        self.document.changed()
        return True

    # --- the queue --------------------------------------------------------------------

    @property
    def _doc(self) -> Any:
        return self.document.ynotebook.ydoc

    def _cell(self, cell_id: str) -> Map[Any] | None:
        return self._index.get(cell_id)

    async def _work(self) -> None:
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            cell_id, requester = self._queue.pop(0)
            ok = await self._run(cell_id, requester)
            if not ok:
                self._drop_queue()  # an error stops the cells after it, as in Jupyter
            if not self._queue:
                self.on_idle()

    async def _source_arrived(self, cell_id: str) -> None:
        """Wait until the cell's source is what the asking page showed (or SOURCE_WAIT)."""
        expected = self._expected.pop(cell_id, None)
        if expected is None:
            return

        def arrived() -> bool:
            ycell = self._cell(cell_id)
            return ycell is None or str(ycell.get("source") or "") == expected

        if arrived():
            return
        changed = asyncio.Event()
        subscription = self._doc.observe(lambda _event: changed.set())
        try:
            async with asyncio.timeout(SOURCE_WAIT):
                while not arrived():
                    changed.clear()
                    await changed.wait()
        except TimeoutError:
            log.info("cell %s: running the document's source (the page's did not arrive)", cell_id)
        finally:
            self._doc.unobserve(subscription)

    async def _run(self, cell_id: str, requester: Requester) -> bool:
        await self._source_arrived(cell_id)
        ycell = self._cell(cell_id)
        if ycell is None or ycell.get("cell_type") != "code":
            return True
        request = new_message(
            "execute_request",
            {
                "code": str(ycell.get("source") or ""),
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": True,
                "stop_on_error": True,
            },
            self.conn.session,
            "shell",
        )
        with self._doc.transaction():
            self._flush_callbacks()  # a callback's output before the cell is cleared
            outputs = CellOutputs(ycell, cell_id, self.displays, self.spills, self.stream_max_bytes)
            self.callbacks.ran(cell_id)
            ycell["execution_count"] = None
            ycell["execution_state"] = "running"
        run = _Run(
            cell_id=cell_id,
            requester=requester,
            ycell=ycell,
            msg_id=request["header"]["msg_id"],
            outputs=outputs,
            started=time.time(),
        )
        self._current = run
        self.document.changed()
        try:
            await self.conn.send(request)
            await run.done.wait()
            if run.aborted and self._current is run:
                # Asked once more: the user asked to run it after the interrupt.
                request["header"]["msg_id"] = uuid.uuid4().hex
                run.msg_id = request["header"]["msg_id"]
                run.done.clear()
                run.reply, run.idle, run.aborted = None, False, False
                await self.conn.send(request)
                await run.done.wait()
        finally:
            self._finish(run)
        return run.reply is not None and run.reply["content"].get("status") == "ok"

    def _finish(self, run: _Run, error: tuple[str, str] | None = None) -> None:
        if self._current is not run:
            return
        self._current = None
        ended = time.time()
        status = "ok"
        if run.reply is None or run.reply["content"].get("status") != "ok":
            status = "error"
        with self._doc.transaction():
            self._flush(run)
            if error is not None and run.reply is None:
                run.outputs.add("error", {"ename": error[0], "evalue": error[1]})
            run.outputs.close()
            if run.reply is not None:
                run.count = run.reply["content"].get("execution_count", run.count)
            run.ycell["execution_count"] = run.count
            info: dict[str, Any] = {
                "elapsed": max(0, round((ended - run.started) * 1000)),
                "status": status,
                "timestamp": round(ended * 1000),
                "user_tz": run.requester.user_tz,
                "user": {"displayName": run.requester.name, "userId": str(run.requester.user_id)},
            }
            metadata = run.ycell.get("metadata")
            if metadata is not None:
                metadata["executionInfo"] = info
            run.ycell["execution_state"] = "idle"
            for request_id in run.requests:
                self._requests.pop(request_id, None)
                self._forget_request(request_id)
        if self.spills is not None:
            self.spills.flush()
        self.document.changed()

    def _drop_queue(self) -> None:
        dropped, self._queue = self._queue, []
        if not dropped:
            return
        with self._doc.transaction():
            for cell_id, _ in dropped:
                ycell = self._cell(cell_id)
                if ycell is not None:
                    ycell["execution_state"] = "idle"
        self.document.changed()

    def _end_all(self, ename: str, why: str) -> None:
        busy = self.busy
        self._drop_queue()
        run = self._current
        if run is not None:
            self._finish(run, (ename, why))
            run.done.set()
        if busy:
            self.on_idle()

    # --- what the kernel sends --------------------------------------------------------

    async def _read(self) -> None:
        try:
            while True:
                msg = await self.conn.recv()
                self.on_activity()
                self._route(msg)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the connection or the runtime went away
            log.info("executor connection to runtime %s ended: %r", self.runtime.runtime_id, exc)
            self.closed = True
            self._end_all("RuntimeLost", "The connection to the runtime was lost.")

    def kernel_restarted(self) -> None:
        """The kernel restarted or died (its status says so, or the service restarted it:
        that status can be missed while the server swaps the kernel's channels)."""
        if self._current is not None or self._queue:
            self._end_all("KernelRestarted", "The kernel restarted or died while this cell ran.")
        # As the page does after a restart: a fresh connection for the next run (a
        # request sent while the kernel restarts may be lost on the old one).
        if not self.closed and self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self.close())

    def _route(self, msg: Message) -> None:
        kind = msg.get("header", {}).get("msg_type", "")
        channel = msg.get("channel")
        content = msg.get("content") or {}
        run = self._current
        mine = run is not None and msg.get("parent_header", {}).get("msg_id") == run.msg_id
        if channel == "iopub" and kind == "status":
            state = content.get("execution_state")
            # "restarting"/"dead": the server's own restarter (a crash). Restarts asked of
            # the service come through kernel_restarted(); a late "starting" of the new
            # kernel can reach a fresh connection and must not end its first run.
            if state in ("restarting", "dead"):
                self.kernel_restarted()
            elif mine and state == "idle" and run is not None:
                run.idle = True
                run.check_done()
            return
        if channel == "iopub" and kind in ("comm_open", "comm_msg", "comm_close"):
            self.output_widgets.see(kind, content)
            return
        if channel == "iopub" and kind in CALLBACK_KINDS and not mine:
            parent = msg.get("parent_header") or {}
            cell_id = callback_cell(parent)
            if cell_id is not None:
                self._callback_output(str(parent.get("msg_id", "")), cell_id, kind, content)
                return
        if not mine or run is None:
            if channel == "iopub" and kind == "update_display_data":
                # A display shown by an earlier cell, updated from anywhere (a thread).
                display_id = _display_id(content)
                if display_id:
                    with self._doc.transaction():
                        if run is not None:
                            self._flush(run)
                        self.displays.update(display_id, content)
                    self.document.changed()
            return
        if channel == "shell" and kind == "execute_reply":
            run.reply = msg
            run.check_done()
        elif channel == "stdin" and kind == "input_request":
            self._ask(
                run, input_request(msg, run.cell_id, run.requester.user_id, run.requester.client_id)
            )
        elif channel == "iopub" and kind == "execute_input":
            run.began = True
            run.count = content.get("execution_count")
        elif channel == "iopub" and kind == "colab_request":
            request = colab_request(
                msg, run.cell_id, run.requester.user_id, run.requester.client_id
            )
            if request is not None:
                self._ask(run, request)
        elif channel == "iopub" and not self.output_widgets.captures(kind, run.msg_id):
            run.pending.append((kind, content))
            if kind == "stream":
                self._schedule_flush()
            else:
                self._flush_now(run)

    def _callback_output(self, parent_id: str, cell_id: str, kind: str, content: Any) -> None:
        """Output of a widget callback the page asked for (cloudbook.live.callbacks)."""
        if self.output_widgets.captures(kind, parent_id):
            return  # printed inside ``with out:``: the Output widget shows it
        self.callbacks.add(cell_id, kind, content)
        if kind == "stream":
            self._schedule_flush()
        else:
            self._flush_callbacks_now()

    def _ask(self, run: _Run, request: PendingRequest) -> None:
        from pycrdt import Map

        self._requests[request.id] = request
        run.requests.append(request.id)
        with self._doc.transaction():
            self._flush(run)
            self._doc.get(REQUESTS_MAP, type=Map)[request.id] = request.to_doc()
            run.ycell["execution_state"] = "waiting"
        self.document.changed()

    def _forget_request(self, request_id: str) -> None:
        from pycrdt import Map

        requests = self._doc.get(REQUESTS_MAP, type=Map)
        if request_id in requests:
            del requests[request_id]

    # --- writing outputs --------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self.flush_interval, self._flush_timer)

    def _flush_timer(self) -> None:
        self._flush_handle = None
        run = self._current
        if run is not None and run.pending:
            self._flush_now(run)
        self._flush_callbacks_now()

    def _flush_callbacks_now(self) -> None:
        if not self.callbacks.waiting:
            return
        with self._doc.transaction():
            wrote = self._flush_callbacks()
        if wrote:
            self.document.changed()

    def _flush_callbacks(self) -> bool:
        """Callback outputs into their cells (inside the caller's transaction)."""
        run = self._current

        def running(cell_id: str) -> CellOutputs | None:
            if run is None or run.cell_id != cell_id:
                return None
            self._flush(run)  # the run's own output before it, in order
            return run.outputs

        return self.callbacks.flush(running)

    def _flush_now(self, run: _Run) -> None:
        with self._doc.transaction():
            self._flush(run)
        self.document.changed()

    def _flush(self, run: _Run) -> None:
        """Write the outputs received so far (inside the caller's transaction)."""
        pending, run.pending = run.pending, []
        for kind, content in pending:
            run.outputs.add(kind, content)


def _display_id(content: dict[str, Any]) -> str:
    value = (content.get("transient") or {}).get("display_id")
    return str(value) if value is not None else ""
