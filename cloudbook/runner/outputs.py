"""Turning kernel iopub messages into nbformat outputs, as a notebook UI would."""

from __future__ import annotations

from typing import Any

from cloudbook.colab_runtime.output_tags import apply_change, clear_removes, clear_tags, tag_change

Output = dict[str, Any]


def _joins(a: Output, b: Output) -> bool:
    """Two stream outputs that are one stream (same name, same tags)."""
    return bool(
        a["output_type"] == b["output_type"] == "stream"
        and a["name"] == b["name"]
        and a.get("_tags", frozenset()) == b.get("_tags", frozenset())
    )


class OutputCollector:
    """One cell's outputs: streams coalesced, clear_output(wait=True) and updates honoured,
    and Colab's output tags (cloudbook.colab_runtime.output_tags): markers are not outputs,
    tagged clears remove only the outputs carrying their tags."""

    def __init__(self) -> None:
        self.outputs: list[Output] = []
        self._pending_clears: list[list[str]] = []
        self._active: frozenset[str] = frozenset()
        self.execution_count: int | None = None

    def _clear(self, tags: list[str]) -> None:
        """Drop the outputs a clear names; streams left side by side join again."""
        kept: list[Output] = []
        for out in self.outputs:
            if clear_removes(tags, out.get("_tags", ())):
                continue
            last = kept[-1] if kept else None
            if last and _joins(last, out):
                last["text"] += out["text"]
            else:
                kept.append(out)
        self.outputs = kept

    def add(self, msg: dict[str, Any]) -> None:
        kind = msg["header"]["msg_type"]
        content = msg.get("content", {})
        if kind == "execute_input":
            self.execution_count = content.get("execution_count")
            return
        if kind == "clear_output":
            if content.get("wait"):
                self._pending_clears.append(clear_tags(content))
            else:
                self._clear(clear_tags(content))
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
        if kind == "display_data" and tag_change(content) is not None:
            self._active = apply_change(self._active, content)
            return
        for tags in self._pending_clears:
            self._clear(tags)
        self._pending_clears.clear()
        extra: Output = {"_tags": self._active} if self._active else {}
        if kind == "stream":
            last = self.outputs[-1] if self.outputs else None
            stream: Output = {
                "output_type": "stream",
                "name": content["name"],
                "text": content["text"],
                **extra,
            }
            if last and _joins(last, stream):
                last["text"] += content["text"]
            else:
                self.outputs.append(stream)
        elif kind == "error":
            self.outputs.append(
                {
                    "output_type": "error",
                    "ename": content.get("ename", ""),
                    "evalue": content.get("evalue", ""),
                    "traceback": content.get("traceback", []),
                    **extra,
                }
            )
        else:
            rich: Output = {
                "output_type": kind,
                "data": content.get("data", {}),
                "metadata": content.get("metadata", {}),
                **extra,
            }
            if kind == "execute_result":
                rich["execution_count"] = content.get("execution_count")
            display_id = content.get("transient", {}).get("display_id")
            if display_id:
                rich["_display_id"] = display_id
            self.outputs.append(rich)

    def finished(self) -> list[Output]:
        """The nbformat outputs (display ids and tags are transient and not saved)."""
        hidden = ("_display_id", "_tags")
        return [{k: v for k, v in out.items() if k not in hidden} for out in self.outputs]


def input_echo(prompt: str, answer: str, password: bool) -> dict[str, Any]:
    """An answered input()/getpass() as the stream message that keeps it in the output:
    `prompt + answer` on stdout, as Colab and Jupyter show it; a password is never
    written, only its prompt (docs/outputs.md)."""
    text = f"{prompt}{'' if password else answer}\n"
    return {"header": {"msg_type": "stream"}, "content": {"name": "stdout", "text": text}}


class DisplayIndex:
    """Saved outputs of finished cells by display id: `handle.update(...)` from a later
    cell (or a display_data reusing the id) changes them too, as in the page."""

    def __init__(self) -> None:
        self._by_id: dict[str | int, list[Output]] = {}

    def remember(self, collector: OutputCollector, saved: list[Output]) -> None:
        """`saved` is `collector.finished()` as stored in the notebook (same order)."""
        for out, kept in zip(collector.outputs, saved, strict=True):
            display_id = out.get("_display_id")
            if isinstance(display_id, str | int):
                self._by_id.setdefault(display_id, []).append(kept)

    def apply(self, msg: dict[str, Any]) -> None:
        if msg["header"]["msg_type"] not in ("update_display_data", "display_data"):
            return
        content = msg.get("content", {})
        display_id = content.get("transient", {}).get("display_id")
        if not isinstance(display_id, str | int) or display_id == "":
            return
        for out in self._by_id.get(display_id, []):
            out["data"] = content.get("data", {})
            out["metadata"] = content.get("metadata", {})
