"""Output widgets capturing a run's outputs (ipywidgets' ``with out: ...``).

Inside ``with out:`` the kernel tells the widget's views the request it captures (a comm
``update`` setting the model's ``msg_id``); the page's widget then takes that request's
outputs, and the cell must not show them as well. The page sees them on its own kernel
socket (iopub is broadcast); the executor, writing the cell's outputs into the document,
leaves them out while a capture of its run is on. Only the Output model has a ``msg_id``
state, so the update alone says it is one (it may come from an earlier executor's run).
"""

from __future__ import annotations

from typing import Any

# What an Output widget takes from the request it captures (as JupyterLab's output area).
CAPTURED = frozenset({"stream", "display_data", "execute_result", "error", "clear_output"})


class OutputWidgets:
    def __init__(self) -> None:
        self._capturing: dict[str, str] = {}  # comm id -> the msg_id it captures

    def see(self, kind: str, content: dict[str, Any]) -> None:
        """A comm message on iopub."""
        comm_id = str(content.get("comm_id", ""))
        if kind == "comm_close":
            self._capturing.pop(comm_id, None)
            return
        data = content.get("data")
        if not isinstance(data, dict):
            return
        state = data.get("state")
        if not isinstance(state, dict) or "msg_id" not in state:
            return
        if kind == "comm_msg" and data.get("method") not in ("update", "echo_update"):
            return
        msg_id = state.get("msg_id")
        if isinstance(msg_id, str) and msg_id:
            self._capturing[comm_id] = msg_id
        else:
            self._capturing.pop(comm_id, None)

    def captures(self, kind: str, msg_id: str) -> bool:
        """Whether an output of this kind from request ``msg_id`` goes to a widget."""
        return kind in CAPTURED and msg_id in self._capturing.values()
