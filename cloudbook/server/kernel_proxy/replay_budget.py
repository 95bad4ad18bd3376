"""One user's share of replay-buffer memory, across all their kernel sessions.

Each session caps its own buffer (messages and bytes); on top of that, everything
one user's sessions hold while their browsers are away stays under
``max_bytes``. Over it, the oldest plain output (stream, display) of any of the
user's sessions goes first, then the oldest of anything; each session counts what
it lost and tells its browser when it returns.
"""

from __future__ import annotations

import itertools
from typing import Protocol

# Order of frames across sessions: a global, increasing stamp per kept frame.
frame_stamps = itertools.count()


class Shedding(Protocol):
    def oldest_droppable(self) -> tuple[int, int] | None:
        """(0 for plain output / 1 for anything else, stamp) of the frame it would drop."""
        ...

    def drop_oldest(self) -> None: ...


class ReplayBudget:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._sessions: set[Shedding] = set()

    def join(self, session: Shedding) -> None:
        self._sessions.add(session)

    def leave(self, session: Shedding) -> None:
        self._sessions.discard(session)

    @property
    def empty(self) -> bool:
        return not self._sessions

    def add(self, size: int) -> None:
        self.used += size
        while self.used > self.max_bytes:
            candidates = [(key, s) for s in self._sessions if (key := s.oldest_droppable())]
            if not candidates:
                return
            min(candidates, key=lambda c: c[0])[1].drop_oldest()

    def release(self, size: int) -> None:
        self.used = max(0, self.used - size)
