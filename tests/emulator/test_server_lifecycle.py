"""The process contract the Rust harness relies on: ready line, clean shutdown."""

from __future__ import annotations

import signal
import subprocess
import urllib.request

import pytest

from harness import Emulator, start_server, stop_server


def _health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_secrets_cmk/health", timeout=5) as response:
        return response.status


def test_prints_one_ready_line_then_serves_and_nothing_else_on_stdout() -> None:
    # GIVEN a server started on port 0
    proc, port = start_server()
    try:
        # WHEN the ready line has been read
        # THEN it named a real port that accepts connections at once
        assert port > 0
        assert _health(port) == 200
    finally:
        stop_server(proc)
    # AND stdout carried nothing but the ready line
    assert proc.stdout is not None
    assert proc.stdout.read() == ""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(signum: signal.Signals) -> None:
    # GIVEN a running server
    proc, port = start_server()
    assert _health(port) == 200
    # WHEN it gets SIGTERM or SIGINT
    proc.send_signal(signum)
    # THEN it exits with status 0 promptly
    assert proc.wait(timeout=5) == 0


def test_stdin_close_stops_when_asked_to_watch_it() -> None:
    # GIVEN a server watching stdin
    proc, _ = start_server("--exit-on-stdin-close")
    assert proc.stdin is not None
    # WHEN its parent closes the pipe (as happens when the parent dies)
    proc.stdin.close()
    # THEN it exits with status 0
    assert proc.wait(timeout=5) == 0


def test_stdin_close_is_ignored_without_the_flag() -> None:
    # GIVEN a server not watching stdin
    proc, port = start_server()
    assert proc.stdin is not None
    try:
        # WHEN stdin closes
        proc.stdin.close()
        # THEN it keeps serving
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        assert _health(port) == 200
    finally:
        stop_server(proc)


def test_seed_makes_moto_ids_reproducible() -> None:
    # GIVEN two servers started with the same --seed
    key_ids = []
    for _ in range(2):
        proc, port = start_server("--seed", "7")
        try:
            # WHEN each creates its first KMS key
            key_ids.append(Emulator(port).client("kms").create_key()["KeyMetadata"]["KeyId"])
        finally:
            stop_server(proc)
    # THEN both keys have the same id
    assert key_ids[0] == key_ids[1]
