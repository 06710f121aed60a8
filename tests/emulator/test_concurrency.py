"""Concurrent API calls: moto's backends are not thread-safe, so the middleware lets it
answer one API request at a time (``middleware._MOTO_LOCK``), while a ``slow`` fault
still delays only its own request."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from harness import Emulator


def test_concurrent_creates_all_succeed(aws: Emulator) -> None:
    # GIVEN 16 clients creating 400 secrets at once
    sm = aws.client("secretsmanager")

    def create(i: int) -> str:
        return sm.create_secret(Name=f"concurrent-{i:04d}", SecretString="s")["ARN"]

    # WHEN they all run
    with ThreadPoolExecutor(max_workers=16) as pool:
        arns = list(pool.map(create, range(400)))

    # THEN every secret exists once and no call failed
    listed = []
    for page in sm.get_paginator("list_secrets").paginate():
        listed.extend(s["ARN"] for s in page["SecretList"])
    assert sorted(listed) == sorted(arns)
    assert all(r["status"] == 200 for r in aws.requests(operation="CreateSecret"))


def test_a_slow_fault_does_not_hold_up_other_requests(aws: Emulator) -> None:
    # GIVEN DescribeKey answers after 1.5 s
    kms = aws.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    aws.post("faults", {"rules": [{"service": "kms", "operation": "DescribeKey", "kind": "slow", "delay_ms": 1500}]})
    sm = aws.client("secretsmanager")
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(kms.describe_key, KeyId=key_id)
        time.sleep(0.2)
        # WHEN another request arrives meanwhile
        started = time.monotonic()
        sm.list_secrets()
        elapsed = time.monotonic() - started
        slow.result()
    # THEN it is answered without waiting for the slow one
    assert elapsed < 1.0, elapsed
