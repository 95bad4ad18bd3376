"""Widget state of a headless run, kept as a notebook UI keeps it (docs/widgets.md).

The models the kernel opens on comm target ``jupyter.widget`` and their updates are
recorded; outputs of a ``with out:`` block go into that Output widget rather than the
cell; at the end the state of the widgets the outputs show is saved in nbformat's
``metadata.widgets``, so the executed notebook shows them when opened.
"""

from __future__ import annotations

import base64
from typing import Any

from cloudbook.runner.outputs import OutputCollector

STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
_OUTPUTS = {
    "stream",
    "display_data",
    "execute_result",
    "error",
    "clear_output",
    "update_display_data",
}
_LINKS = {"LinkModel", "DirectionalLinkModel"}
_REF = "IPY_MODEL_"

Message = dict[str, Any]


def _refs(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        if value.startswith(_REF):
            out.append(value[len(_REF) :])
    elif isinstance(value, list):
        for v in value:
            _refs(v, out)
    elif isinstance(value, dict):
        view = value.get(VIEW_MIME)
        if isinstance(view, dict) and isinstance(view.get("model_id"), str):
            out.append(view["model_id"])
        for v in value.values():
            _refs(v, out)


class _Model:
    def __init__(self, state: dict[str, Any]) -> None:
        self.name = str(state.get("_model_name", ""))
        self.module = str(state.get("_model_module", ""))
        self.version = str(state.get("_model_module_version", ""))
        self.state: dict[str, Any] = {}
        self.buffers: dict[tuple[str | int, ...], bytes] = {}

    def update(
        self, state: dict[str, Any], paths: list[list[str | int]], buffers: list[bytes]
    ) -> None:
        keys = set(state) | {str(p[0]) for p in paths if p}
        self.state.update(state)
        self.buffers = {p: b for p, b in self.buffers.items() if str(p[0]) not in keys}
        for path, data in zip(paths, buffers, strict=False):
            self.buffers[tuple(path)] = bytes(data)

    def saved(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_name": self.name,
            "model_module": self.module,
            "model_module_version": self.version,
            "state": self.state,
        }
        if self.buffers:
            out["buffers"] = [
                {"path": list(p), "data": base64.b64encode(b).decode(), "encoding": "base64"}
                for p, b in self.buffers.items()
            ]
        return out


class WidgetRecorder:
    def __init__(self) -> None:
        self.models: dict[str, _Model] = {}
        self._captures: dict[str, OutputCollector] = {}
        self._capturing: dict[str, str] = {}  # parent msg_id -> Output model id

    def add(self, msg: Message) -> bool:
        """Records a message; True when it was an output an Output widget took."""
        kind = msg["header"]["msg_type"]
        content = msg.get("content", {})
        buffers = list(msg.get("buffers") or [])
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            data = content.get("data") or {}
            state = dict(data.get("state") or {})
            model = _Model(state)
            self.models[str(content["comm_id"])] = model
            self._update(str(content["comm_id"]), state, data.get("buffer_paths") or [], buffers)
        elif kind == "comm_msg":
            data = content.get("data") or {}
            if data.get("method") in ("update", "echo_update"):
                paths = data.get("buffer_paths") or []
                self._update(str(content.get("comm_id")), data.get("state") or {}, paths, buffers)
        elif kind == "comm_close":
            self.models.pop(str(content.get("comm_id")), None)
        elif kind in _OUTPUTS:
            return self._capture(msg)
        return False

    def _update(
        self, model_id: str, state: dict[str, Any], paths: list[Any], buffers: list[bytes]
    ) -> None:
        model = self.models.get(model_id)
        if model is None:
            return
        model.update(state, paths, buffers)
        if model.module != "@jupyter-widgets/output":
            return
        if "msg_id" in state:
            self._capturing = {k: v for k, v in self._capturing.items() if v != model_id}
            if state["msg_id"]:
                self._capturing[str(state["msg_id"])] = model_id
        if "msg_id" in state or "outputs" in state:
            self._captures.pop(model_id, None)  # restarts from the outputs it has now

    def _capture(self, msg: Message) -> bool:
        target = self._capturing.get(str(msg.get("parent_header", {}).get("msg_id", "")))
        model = self.models.get(target) if target else None
        if model is None or target is None:
            return False
        collector = self._captures.get(target)
        if collector is None:
            collector = self._captures[target] = OutputCollector()
            collector.outputs = [dict(o) for o in model.state.get("outputs") or []]
        collector.add(msg)
        model.state["outputs"] = collector.finished()
        return bool(msg["header"]["msg_type"] != "update_display_data")

    def closure(self, ids: list[str]) -> list[str]:
        seen: list[str] = []
        todo = list(ids)
        links = [i for i, m in self.models.items() if m.name in _LINKS]
        while todo:
            while todo:
                model_id = todo.pop()
                model = self.models.get(model_id)
                if model is None or model_id in seen:
                    continue
                seen.append(model_id)
                _refs(model.state, todo)
            for link in links:
                ends: list[str] = []
                _refs(self.models[link].state, ends)
                if link not in seen and any(e in seen for e in ends):
                    todo.append(link)
        return seen

    def save(self, nb: dict[str, Any]) -> None:
        """Writes the state of the widgets the outputs show into the notebook's metadata."""
        viewed: list[str] = []
        for cell in nb.get("cells", []):
            for out in cell.get("outputs") or []:
                _refs(out.get("data") or {}, viewed)
        state = {i: self.models[i].saved() for i in self.closure(viewed)}
        if not state:
            return
        widgets = nb.setdefault("metadata", {}).setdefault("widgets", {})
        widgets[STATE_MIME] = {"version_major": 2, "version_minor": 0, "state": state}
