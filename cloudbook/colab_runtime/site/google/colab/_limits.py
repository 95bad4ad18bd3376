"""Kernel-side guards that go with the runtime's limits (docs/limits.md).

- The kernel ranks first for the OOM killer (``oom_score_adj`` 1000, which any
  process may raise): when the runtime's memory runs out the kernel dies, not
  the runtime's Jupyter server, which then starts a fresh kernel.
- ipykernel merges everything printed within 0.2 s into one ``stream`` message
  (190 MiB seen from a print loop); after every ``STREAM_FLUSH_CHARS`` characters
  written a write now flushes at once and waits for the send, so a message holds at
  most that much plus one write, and a runaway print is slowed to what the I/O
  thread can pass on instead of growing the kernel.
"""

from __future__ import annotations

from typing import Any

STREAM_FLUSH_CHARS = 1024 * 1024
KERNEL_OOM_SCORE_ADJ = "1000"


def rank_first_for_oom() -> None:
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(KERNEL_OOM_SCORE_ADJ)
    except OSError:
        pass


def cap_stream_buffers(limit: int = STREAM_FLUSH_CHARS) -> None:
    try:
        from ipykernel.iostream import OutStream
    except ImportError:
        return
    cls: Any = OutStream
    if getattr(cls, "_cloudbook_capped", False):
        return
    original = cls.write

    def write(self: Any, string: str) -> Any:
        written = original(self, string)
        # Characters written since this stream last forced a flush: one addition per
        # write (the I/O thread's own timed flushes make this an over-count, never under).
        count = getattr(self, "_cloudbook_unflushed", 0) + len(string)
        if count > limit and self._is_master_process():
            self.flush()  # sends what is buffered and waits for the I/O thread
            count = 0
        self._cloudbook_unflushed = count
        return written

    cls.write = write
    cls._cloudbook_capped = True
