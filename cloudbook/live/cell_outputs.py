"""One running cell's outputs, written into its shared-document cell as messages arrive.

The same rules as the saved-output collector (cloudbook.runner.outputs) and the page:
streams of one name coalesce into one output whose text grows (a ``pycrdt.Text``, so a
page receives only the appended part), ``clear_output(wait=True)`` waits for the next
output, Colab's output tags (cloudbook.colab_runtime.output_tags) mark outputs and limit
clears, and display ids are remembered across cells (cloudbook.live.displays) so an
``update_display_data`` reaches every cell showing that display.

Each stream output keeps at most ``stream_max_bytes`` in the document; past that the
document shows a marked cut and the whole stream goes to a file (cloudbook.live.spill).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudbook.colab_runtime.output_tags import apply_change, clear_removes, clear_tags, tag_change
from cloudbook.live.displays import DisplayRegistry, tagged_metadata

if TYPE_CHECKING:
    from pycrdt import Array, Map

    from cloudbook.live.spill import SpillFiles, StreamSpill

Content = dict[str, Any]


def cut_notice(url: str, kept_bytes: int) -> str:
    """The marked cut the document shows in place of a stream's rest (pages linkify it)."""
    return f"\n[output cut after {kept_bytes // 1024} KiB: full output at {url}]\n"


class _Stream:
    """The stream output at the end of the cell and what the document holds of it."""

    def __init__(self, name: str, output: Map[Any], size: int) -> None:
        self.name = name
        self.output = output
        self.size = size  # bytes of text in the document
        self.spill: StreamSpill | None = None


class CellOutputs:
    """Writes one execution's outputs into ``ycell["outputs"]`` (cleared when it starts)."""

    def __init__(
        self,
        ycell: Map[Any],
        cell_id: str,
        displays: DisplayRegistry,
        spills: SpillFiles | None,
        stream_max_bytes: int,
        *,
        keep: bool = False,
    ) -> None:
        """``keep``: add to the outputs the cell has (a widget callback's output) instead of
        clearing them; a stream then continues the cell's last stream output."""
        from pycrdt import Array

        self.cell_id = cell_id
        self.displays = displays
        self.spills = spills
        self.stream_max_bytes = stream_max_bytes
        outputs = ycell.get("outputs")
        if not isinstance(outputs, Array):
            outputs = ycell["outputs"] = Array()
        elif not keep:
            outputs.clear()
        self.outputs: Array[Any] = outputs
        # Beside each output, same order (those the cell had carry no tags here).
        self._tags: list[frozenset[str]] = [frozenset()] * len(outputs)
        self._active: frozenset[str] = frozenset()
        self._pending_clears: list[list[str]] = []
        self._stream: _Stream | None = self._last_stream() if keep else None

    # --- messages -----------------------------------------------------------------

    def add(self, kind: str, content: Content) -> None:
        if kind == "clear_output":
            if content.get("wait"):
                self._pending_clears.append(clear_tags(content))
            else:
                self._clear(clear_tags(content))
            return
        if kind == "update_display_data":
            display_id = _display_id(content)
            if display_id is not None:
                self.displays.update(display_id, content)
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        if kind == "display_data" and tag_change(content) is not None:
            self._active = apply_change(self._active, content)
            return
        for tags in self._pending_clears:
            self._clear(tags)
        self._pending_clears.clear()
        if kind == "stream":
            self._add_stream(str(content.get("name", "stdout")), str(content.get("text", "")))
        elif kind == "error":
            self._append(
                {
                    "output_type": "error",
                    "ename": content.get("ename", ""),
                    "evalue": content.get("evalue", ""),
                    "traceback": list(content.get("traceback", [])),
                }
            )
        else:
            self._add_rich(kind, content)

    def add_text(self, name: str, text: str) -> None:
        """Text the service itself shows in the stream (an answered input() prompt)."""
        self.add("stream", {"name": name, "text": text})

    def close(self) -> None:
        if self._stream is not None and self._stream.spill is not None:
            self._stream.spill.close()
        self._stream = None

    # --- helpers ------------------------------------------------------------------

    def _last_stream(self) -> _Stream | None:
        """The cell's last output, when it is a stream whose text can grow."""
        from pycrdt import Map, Text

        if not len(self.outputs):
            return None
        last = self.outputs[len(self.outputs) - 1]
        if not isinstance(last, Map) or last.get("output_type") != "stream":
            return None
        text = last.get("text")
        if not isinstance(text, Text):
            return None
        # Its length (not its bytes: no copy of a long text); a cut needs spills, which
        # a keeping writer does not get.
        return _Stream(str(last.get("name", "stdout")), last, len(text))

    def _add_rich(self, kind: str, content: Content) -> None:
        from pycrdt import Map

        display_id = _display_id(content)
        if kind == "display_data" and display_id is not None:
            # A display reusing an id replaces what every earlier one shows, as in the page.
            self.displays.update(display_id, content)
        metadata = content.get("metadata", {})
        value: Content = {
            "output_type": kind,
            "data": content.get("data", {}),
            "metadata": metadata if display_id is None else tagged_metadata(metadata, display_id),
        }
        if kind == "execute_result":
            value["execution_count"] = content.get("execution_count")
        output = self._append(value)
        assert isinstance(output, Map)
        if display_id is not None:
            self.displays.add(display_id, output)

    def _append(self, value: Content) -> Map[Any]:
        from pycrdt import Map

        self.outputs.append(Map(value))
        self._tags.append(self._active)
        self._stream = None
        output: Map[Any] = self.outputs[len(self.outputs) - 1]
        return output

    def _add_stream(self, name: str, text: str) -> None:
        from pycrdt import Map, Text

        stream = self._stream
        if stream is None or stream.name != name or self._tags[-1] != self._active:
            self.outputs.append(Map({"output_type": "stream", "name": name, "text": Text()}))
            self._tags.append(self._active)
            stream = self._stream = _Stream(name, self.outputs[len(self.outputs) - 1], 0)
        self._write(stream, text)

    def _write(self, stream: _Stream, text: str) -> None:
        if stream.spill is not None:
            stream.spill.write(text)
            return
        data = text.encode()
        ytext = stream.output["text"]
        if stream.size + len(data) <= self.stream_max_bytes or self.spills is None:
            ytext += text
            stream.size += len(data)
            return
        # Past the cap: keep what fits (whole characters), mark the cut, spill the rest.
        room = max(0, self.stream_max_bytes - stream.size)
        kept = data[:room].decode(errors="ignore")
        spill = self.spills.open(self.cell_id, stream.name)
        spill.write(str(ytext))
        spill.write(text)
        stream.spill = spill
        ytext += kept + cut_notice(spill.url, stream.size + len(kept.encode()))
        stream.size += len(kept.encode())

    def _clear(self, tags: list[str]) -> None:
        """Drop the outputs a clear names (all of them for a plain clear)."""
        if self._stream is not None and self._stream.spill is not None:
            self._stream.spill.close()
        self._stream = None
        if not tags:
            self.outputs.clear()
            self._tags.clear()
            return
        for index in range(len(self._tags) - 1, -1, -1):
            if clear_removes(tags, self._tags[index]):
                del self.outputs[index]
                del self._tags[index]


def _display_id(content: Content) -> str | None:
    value = (content.get("transient") or {}).get("display_id")
    return str(value) if isinstance(value, str | int) and value != "" else None
