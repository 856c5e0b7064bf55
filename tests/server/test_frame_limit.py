from __future__ import annotations

from server.frame_limit import FrameRateLimit, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_refused_then_refilled() -> None:
    clock = Clock()
    limit = FrameRateLimit(rate=10, burst=5, abuse_after=100, clock=clock)
    assert [limit.check() for _ in range(5)] == [Verdict.ALLOW] * 5
    assert limit.check() is Verdict.REFUSE
    assert limit.retry_after_ms() > 0
    clock.now += 0.5  # five frames' worth of refill
    assert [limit.check() for _ in range(5)] == [Verdict.ALLOW] * 5


def test_sustained_flooding_closes_but_a_single_overshoot_does_not() -> None:
    clock = Clock()
    limit = FrameRateLimit(rate=10, burst=5, abuse_after=10, clock=clock)
    verdicts = [limit.check() for _ in range(14)]
    assert Verdict.CLOSE not in verdicts  # 9 refusals: a warning, not abuse
    clock.now += 2.0  # forgiven
    verdicts = [limit.check() for _ in range(5 + 10)]
    assert verdicts[-1] is Verdict.CLOSE
