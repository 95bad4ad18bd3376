"""The failed-login counter on its own, with a clock the test moves."""

from __future__ import annotations

import pytest

from cloudbook.services.errors import TooManyRequests
from cloudbook.services.login_throttle import LoginThrottle


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limits_reset_after_the_window_and_on_success() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_account=3, per_address=5, window=60, clock=clock)
    for _ in range(3):
        throttle.begin("Alice", "10.0.0.1")  # three failures (never marked succeeded)
    with pytest.raises(TooManyRequests) as caught:
        throttle.begin("alice", "10.0.0.2")  # names are case-insensitive
    assert caught.value.retry_after == 60 and caught.value.status == 429
    clock.now += 30
    with pytest.raises(TooManyRequests) as caught:
        throttle.begin("alice", "10.0.0.2")
    assert caught.value.retry_after == 30
    clock.now += 30  # the oldest failure is out of the window
    stamp = throttle.begin("alice", "10.0.0.2")
    throttle.succeeded("alice", "10.0.0.2", stamp)  # a right password clears the account
    for _ in range(3):
        throttle.begin("alice", "10.0.0.3")
    # Five failures from one address lock every name from it.
    throttle.begin("bob", "10.0.0.9")
    throttle.begin("carol", "10.0.0.9")
    throttle.begin("dave", "10.0.0.9")
    throttle.begin("erin", "10.0.0.9")
    throttle.begin("frank", "10.0.0.9")
    with pytest.raises(TooManyRequests):
        throttle.begin("grace", "10.0.0.9")
    throttle.begin("grace", "10.0.0.10")
