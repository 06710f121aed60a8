"""The latency model (``latency.py``): every API request waits the configured delay
outside the section that serialises moto, so concurrent requests overlap their delays
as they would against AWS, and sequential ones add them up."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import Emulator

LATENCY_MS = 200
REQUESTS = 8


def _timed(work) -> float:
    started = time.monotonic()
    work()
    return (time.monotonic() - started) * 1000.0


def _moto_time_ms(aws: Emulator, calls: int) -> float:
    """What `calls` ListSecrets cost with no latency: moto's own time, to allow for."""
    sm = aws.client("secretsmanager")
    sm.list_secrets()
    return _timed(lambda: [sm.list_secrets() for _ in range(calls)])


def test_concurrent_requests_overlap_their_latency(aws: Emulator) -> None:
    # GIVEN every request delayed by L ms, and moto's own time for N requests measured
    sm = aws.client("secretsmanager")
    moto_ms = _moto_time_ms(aws, REQUESTS)
    aws.post("latency", {"ms": LATENCY_MS})

    # WHEN N requests are sent at once
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        elapsed = _timed(lambda: list(pool.map(lambda _: sm.list_secrets(), range(REQUESTS))))

    # THEN together they take about L, not N x L
    assert LATENCY_MS <= elapsed < 2 * LATENCY_MS + moto_ms, elapsed
    assert aws.get("latency")["delayed"] == REQUESTS


def test_sequential_requests_add_up_their_latency(aws: Emulator) -> None:
    # GIVEN every request delayed by L ms
    sm = aws.client("secretsmanager")
    moto_ms = _moto_time_ms(aws, REQUESTS)
    aws.post("latency", {"ms": LATENCY_MS})

    # WHEN N requests are sent one after another
    elapsed = _timed(lambda: [sm.list_secrets() for _ in range(REQUESTS)])

    # THEN they take N x L (plus moto's own time)
    assert REQUESTS * LATENCY_MS <= elapsed < REQUESTS * LATENCY_MS + moto_ms + LATENCY_MS, elapsed


def test_a_seeded_distribution_repeats_and_stays_in_its_range(aws: Emulator) -> None:
    # GIVEN 25 +- 20 ms, seeded
    sm = aws.client("secretsmanager")

    def delays() -> list[float]:
        aws.post("latency", {"ms": 25, "jitter_ms": 20, "seed": 7})
        return [_timed(sm.list_secrets) for _ in range(12)]

    # WHEN the same requests run twice under the same seed
    first, second = delays(), delays()

    # THEN every delay is at least the range's low end, and they vary (not all 25 ms)
    assert all(d >= 5 for d in first + second), (first, second)
    assert max(first) - min(first) > 5, first
    # AND the configuration reads back as set
    assert aws.get("latency") == {"ms": 25.0, "jitter_ms": 20.0, "seed": 7, "delayed": 12}


def test_admin_requests_are_not_delayed_and_reset_turns_latency_off(aws: Emulator) -> None:
    # GIVEN a long latency
    aws.post("latency", {"ms": 2000})
    # WHEN the admin API is used, then the emulator reset
    elapsed = _timed(lambda: aws.get("health"))
    aws.post("reset")
    # THEN admin calls were answered at once, and after the reset API calls are too
    assert elapsed < 1000, elapsed
    assert aws.get("latency") == {"ms": 0.0, "jitter_ms": 0.0, "seed": 0, "delayed": 0}
    assert _timed(aws.client("secretsmanager").list_secrets) < 1000


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"ms": -1}, "ms must be a non-negative number"),
        ({"ms": "25"}, "ms must be a non-negative number"),
        ({"ms": True}, "ms must be a non-negative number"),
        ({"ms": 10, "jitter_ms": 11}, "jitter_ms (11) must not exceed ms (10)"),
        ({"ms": 10, "seed": 1.5}, "seed must be a non-negative integer"),
        ({"ms": 10, "delay": 3}, "unknown fields: ['delay']"),
        ([10], "body must be a JSON object"),
    ],
)
def test_bad_latency_documents_are_refused_naming_the_field(aws: Emulator, body: object, words: str) -> None:
    # WHEN a malformed document is posted
    status, doc = aws.admin("POST", "latency", body)
    # THEN it is refused with a message naming the problem, and the model stays off
    assert status == 400
    assert words in doc["error"], doc
    assert aws.get("latency")["ms"] == 0.0
