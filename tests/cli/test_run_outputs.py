"""The headless runner's output collector honours Colab's output tags, as the page does."""

from __future__ import annotations

from typing import Any

from cloudbook.runner.outputs import DisplayIndex, OutputCollector, input_echo


def msg(kind: str, **content: Any) -> dict[str, Any]:
    return {"header": {"msg_type": kind}, "content": content}


def marker(add: list[str], remove: list[str] | None = None) -> dict[str, Any]:
    area = {"nodisplay": True, "add_tags": add, "remove_tags": remove or []}
    return msg("display_data", data={}, metadata={"outputarea": area})


def out(text: str) -> dict[str, Any]:
    return msg("stream", name="stdout", text=text)


def collect(*messages: dict[str, Any]) -> list[dict[str, Any]]:
    collector = OutputCollector()
    for m in messages:
        collector.add(m)
    return collector.finished()


def test_markers_are_not_outputs_and_tagged_clears_are_selective() -> None:
    outputs = collect(
        out("kept\n"),
        marker(["a"]),
        out("tagged\n"),
        msg("display_data", data={"text/plain": "shown"}, metadata={}),
        marker([], ["a"]),
        out("after\n"),
        msg("clear_output", wait=False, output_tags=["a"]),
    )
    # the streams around the removed outputs are one stream again
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": "kept\nafter\n"}]


def test_wait_clear_with_tags_happens_at_the_next_output() -> None:
    collector = OutputCollector()
    for m in (marker(["t"]), out("temp\n"), marker([], ["t"])):
        collector.add(m)
    collector.add(msg("clear_output", wait=True, output_tags=["t"]))
    assert [o["text"] for o in collector.finished()] == ["temp\n"]
    collector.add(out("next\n"))
    assert [o["text"] for o in collector.finished()] == ["next\n"]


def test_plain_clear_clears_everything() -> None:
    assert collect(out("a"), marker(["x"]), out("b"), msg("clear_output", wait=False)) == []


def test_display_updates_reach_outputs_of_earlier_cells() -> None:
    displays = DisplayIndex()
    first = OutputCollector()
    shown = msg(
        "display_data", data={"text/plain": "'a'"}, metadata={}, transient={"display_id": 7}
    )
    for m in (shown, out("after\n")):
        displays.apply(m)
        first.add(m)
    saved = first.finished()
    displays.remember(first, saved)
    update = msg(
        "update_display_data", data={"text/plain": "'b'"}, metadata={}, transient={"display_id": 7}
    )
    other = msg(
        "update_display_data", data={"text/plain": "'c'"}, metadata={}, transient={"display_id": 8}
    )
    second = OutputCollector()
    for m in (update, other):
        displays.apply(m)
        second.add(m)
    assert saved == [
        {"output_type": "display_data", "data": {"text/plain": "'b'"}, "metadata": {}},
        {"output_type": "stream", "name": "stdout", "text": "after\n"},
    ]
    assert second.finished() == []


def test_an_answered_input_is_a_stdout_line_and_a_password_only_its_prompt() -> None:
    assert collect(
        out("before\n"), input_echo("Name? ", "Ada", False), input_echo("Pin: ", "1234", True)
    ) == [{"output_type": "stream", "name": "stdout", "text": "before\nName? Ada\nPin: \n"}]
