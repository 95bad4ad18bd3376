"""Failed logins, counted per account and per client address (in this process).

A login first reserves an attempt (in flight attempts count as failures, so a
burst of parallel guesses cannot all reach argon2 before the first one fails);
a failure keeps the reservation for ``window`` seconds, a success clears the
account's record. Past the limit the answer is 429 with ``Retry-After`` — before
any password is checked, so refused guesses cost no CPU.

Counts live in memory: several service instances each count their own, and a
reverse proxy in front must pass the client address (uvicorn ``--proxy-headers``)
or every login shares the proxy's.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from cloudbook.services.errors import TooManyRequests

_MAX_KEYS = 100_000  # bound memory under a flood of made-up names or addresses


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: int = 5,
        per_address: int = 20,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self._clock = clock
        self._accounts: dict[str, deque[float]] = {}
        self._addresses: dict[str, deque[float]] = {}

    def _recent(self, table: dict[str, deque[float]], key: str) -> deque[float]:
        now = self._clock()
        times = table.get(key)
        if times is None:
            if len(table) >= _MAX_KEYS:
                self._prune(table, now)
            times = table[key] = deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _prune(self, table: dict[str, deque[float]], now: float) -> None:
        for key in [k for k, v in table.items() if not v or v[-1] <= now - self.window]:
            del table[key]
        if len(table) >= _MAX_KEYS:  # still full of live entries: forget the oldest half
            for key in list(table)[: len(table) // 2]:
                del table[key]

    def _check(self, times: deque[float], limit: int, what: str) -> None:
        if len(times) >= limit:
            wait = math.ceil(times[0] + self.window - self._clock())
            raise TooManyRequests(
                f"Too many failed logins {what}; try again in {max(1, wait)} seconds.",
                retry_after=wait,
                code="too_many_logins",
            )

    def begin(self, account: str, address: str) -> float:
        """Reserve an attempt or raise 429; the token passed to ``succeeded``."""
        account_times = self._recent(self._accounts, account.lower())
        address_times = self._recent(self._addresses, address)
        self._check(account_times, self.per_account, "for this account")
        self._check(address_times, self.per_address, "from this address")
        stamp = self._clock()
        account_times.append(stamp)
        address_times.append(stamp)
        return stamp

    def succeeded(self, account: str, address: str, stamp: float) -> None:
        """A right password: the account starts afresh; the address gets its attempt back."""
        self._accounts.pop(account.lower(), None)
        times = self._addresses.get(address)
        if times is not None:
            try:
                times.remove(stamp)
            except ValueError:
                pass
