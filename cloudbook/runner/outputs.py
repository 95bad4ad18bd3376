"""Turning kernel iopub messages into nbformat outputs, as a notebook UI would."""

from __future__ import annotations

from typing import Any

Output = dict[str, Any]


class OutputCollector:
    """One cell's outputs: streams coalesced, clear_output(wait=True) and updates honoured."""

    def __init__(self) -> None:
        self.outputs: list[Output] = []
        self._clear_pending = False
        self.execution_count: int | None = None

    def add(self, msg: dict[str, Any]) -> None:
        kind = msg["header"]["msg_type"]
        content = msg.get("content", {})
        if kind == "execute_input":
            self.execution_count = content.get("execution_count")
            return
        if kind == "clear_output":
            if content.get("wait"):
                self._clear_pending = True
            else:
                self.outputs.clear()
            return
        if kind == "update_display_data":
            display_id = content.get("transient", {}).get("display_id")
            for out in self.outputs:
                if display_id and out.get("_display_id") == display_id:
                    out["data"] = content.get("data", {})
                    out["metadata"] = content.get("metadata", {})
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False
        if kind == "stream":
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == content["name"]:
                last["text"] += content["text"]
            else:
                self.outputs.append(
                    {"output_type": "stream", "name": content["name"], "text": content["text"]}
                )
        elif kind == "error":
            self.outputs.append(
                {
                    "output_type": "error",
                    "ename": content.get("ename", ""),
                    "evalue": content.get("evalue", ""),
                    "traceback": content.get("traceback", []),
                }
            )
        else:
            rich: Output = {
                "output_type": kind,
                "data": content.get("data", {}),
                "metadata": content.get("metadata", {}),
            }
            if kind == "execute_result":
                rich["execution_count"] = content.get("execution_count")
            display_id = content.get("transient", {}).get("display_id")
            if display_id:
                rich["_display_id"] = display_id
            self.outputs.append(rich)

    def finished(self) -> list[Output]:
        """The nbformat outputs (display ids are transient and not saved)."""
        return [{k: v for k, v in out.items() if k != "_display_id"} for out in self.outputs]
