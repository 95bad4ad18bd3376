"""Output tags: mark outputs, and later clear exactly those.

Tags travel as Colab sends them: a ``display_data`` with empty data and
``metadata.outputarea = {nodisplay: true, add_tags: [...], remove_tags: [...]}``
changes the cell's active tags in the browser; ``clear_output`` carries an extra
``output_tags`` list naming which outputs to remove.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator

from google.colab import _ipython

_local = threading.local()


def _tags() -> set[str]:
    tags: set[str] | None = getattr(_local, "tags", None)
    if tags is None:
        tags = set()
        _local.tags = tags
    return tags


def _as_list(tags: str | Iterable[str]) -> list[str]:
    return [tags] if isinstance(tags, str) else list(tags)


def get_active_tags() -> set[str]:
    return set(_tags())


def reset_tags() -> None:
    """Forget the active tags (escape hatch if a context was left without exiting)."""
    _local.tags = set()


def _publish_tag_change(add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
    add, remove = sorted(add), sorted(remove)
    active = _tags()
    active.update(add)
    active.difference_update(remove)
    if not add and not remove:
        return
    shell = _ipython.get_ipython()
    if shell is None:
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    shell.display_pub.publish(
        {},
        metadata={"outputarea": {"nodisplay": True, "add_tags": add, "remove_tags": remove}},
    )


@contextlib.contextmanager
def use_tags(tags: str | Iterable[str], append: bool = True) -> Iterator[set[str]]:
    """Tag every output produced inside the context with ``tags``."""
    wanted = set(_as_list(tags))
    current = set(_tags())
    added = wanted - current
    removed = set() if append else current - wanted
    _publish_tag_change(added, removed)
    try:
        yield set(_tags())
    finally:
        _publish_tag_change(removed, added)


def clear(wait: bool = False, output_tags: str | Iterable[str] = ()) -> None:
    """Clear the cell's outputs; with ``output_tags`` only those carrying all of those tags."""
    tags = _as_list(output_tags)
    shell = _ipython.get_ipython()
    if shell is None:
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pub = shell.display_pub
    if not tags:
        pub.clear_output(wait=wait)
        return
    if not hasattr(pub, "pub_socket"):
        return
    msg = pub.session.msg(
        "clear_output", {"wait": wait, "output_tags": tags}, parent=pub.parent_header
    )
    pub.session.send(pub.pub_socket, msg, ident=pub.topic)


@contextlib.contextmanager
def temporary() -> Iterator[str]:
    """Outputs produced inside the context are cleared when it exits without error."""
    tag = "temporary-" + uuid.uuid4().hex
    with use_tags(tag):
        yield tag
    clear(output_tags=tag)
