"""The pure rules of polite calling: quota headers, Retry-After, backoff, schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from socialpulse.domain.connections import (
    Quota,
    next_sync,
    read_quota,
    retry_after,
    retry_delay,
    wait_before_call,
)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_mastodon_and_bluesky_headers() -> None:
    m = read_quota({"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "12",
                    "X-RateLimit-Reset": "2026-11-02T10:05:00.019685Z"}, NOW)
    assert m == Quota(300, 12, datetime(2026, 11, 2, 10, 5, 0, 19685, tzinfo=UTC))
    b = read_quota({"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                    "ratelimit-reset": str(int((NOW + timedelta(minutes=5)).timestamp())),
                    "ratelimit-policy": "3000;w=300"}, NOW)
    assert b == Quota(3000, 2999, NOW + timedelta(minutes=5))
    assert read_quota({"RateLimit-Remaining": "5", "RateLimit-Reset": "30"}, NOW) == \
        Quota(None, 5, NOW + timedelta(seconds=30))  # the IETF draft's delta seconds
    assert read_quota({"Content-Type": "application/json"}, NOW) is None
    assert read_quota({"X-RateLimit-Remaining": "lots"}, NOW) is None


def test_wait_before_the_limit_not_at_it() -> None:
    reset = NOW + timedelta(seconds=90)
    assert wait_before_call(Quota(300, 3, reset), NOW, reserve=2) == timedelta(0)
    assert wait_before_call(Quota(300, 2, reset), NOW, reserve=2) == timedelta(seconds=91)
    assert wait_before_call(None, NOW, reserve=2) == timedelta(0)
    assert wait_before_call(Quota(300, 0, None), NOW, reserve=2) == timedelta(seconds=60)


def test_retry_after_seconds_or_http_date() -> None:
    assert retry_after("17", NOW, timedelta(seconds=60)) == timedelta(seconds=17)
    assert retry_after("Mon, 02 Nov 2026 10:00:42 GMT", NOW, timedelta(0)) == \
        timedelta(seconds=42)
    assert retry_after(None, NOW, timedelta(seconds=60)) == timedelta(seconds=60)
    assert retry_after("soon", NOW, timedelta(seconds=5)) == timedelta(seconds=5)


@given(st.integers(1, 30), st.floats(0, 0.999999))
def test_jittered_backoff_stays_under_a_doubling_cap(attempt: int, draw: float) -> None:
    d = retry_delay(attempt, draw, base=1.0, cap=60.0)
    assert timedelta(seconds=0.05) <= d <= timedelta(seconds=min(60.0, 2 ** (attempt - 1)))


def test_next_daily_sync() -> None:
    assert next_sync(datetime(2026, 11, 2, 2, 59, tzinfo=UTC)) == \
        datetime(2026, 11, 2, 3, tzinfo=UTC)
    assert next_sync(datetime(2026, 11, 2, 3, 0, tzinfo=UTC)) == \
        datetime(2026, 11, 3, 3, tzinfo=UTC)
