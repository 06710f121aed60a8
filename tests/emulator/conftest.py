"""Fixtures: one emulator process for the session, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import Emulator, start_server, stop_server


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = (tmp_path_factory.mktemp("emulator") / "stderr.log").open("w")
    proc, port = start_server("--exit-on-stdin-close", stderr=log)
    try:
        yield Emulator(port)
    finally:
        stop_server(proc)
        log.close()


@pytest.fixture
def aws(emulator: Emulator) -> Emulator:
    """The session emulator with every bit of state cleared."""
    emulator.post("reset")
    return emulator
