"""The helper that lets a collector honour Colab's output tags (headless runs)."""

from __future__ import annotations

from cloudbook.colab_runtime.output_tags import apply_change, clear_removes, clear_tags, tag_change


def marker(add: list[str], remove: list[str]) -> dict[str, object]:
    meta = {"outputarea": {"nodisplay": True, "add_tags": add, "remove_tags": remove}}
    return {"data": {}, "metadata": meta}


def test_tag_changes_and_tagged_clears() -> None:
    assert tag_change({"data": {"text/plain": "x"}, "metadata": {}}) is None
    assert tag_change(marker(["a"], [])) == (["a"], [])
    active = apply_change(frozenset(), marker(["conversation"], []))
    active = apply_change(active, marker(["intro"], []))
    hello = active
    active = apply_change(active, marker([], ["intro"]))
    bye = active
    assert (hello, bye) == ({"conversation", "intro"}, {"conversation"})
    assert apply_change(bye, {"data": {"text/plain": "x"}}) == bye
    intro = clear_tags({"wait": False, "output_tags": ["intro"]})
    assert clear_removes(intro, hello) and not clear_removes(intro, bye)
    assert clear_removes(clear_tags({"wait": False}), frozenset())  # untagged clear: all
    assert not clear_removes(["intro", "other"], hello)  # every named tag must be carried
