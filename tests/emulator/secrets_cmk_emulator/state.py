"""The emulator's process-wide state, next to moto's own backends.

One instance per server process; ``reset`` clears it (the admin ``reset`` endpoint
and ``/moto-api/reset`` call it together with moto's reset).
"""

from __future__ import annotations

from secrets_cmk_emulator.config_state import ConfigState
from secrets_cmk_emulator.faults import FaultInjector
from secrets_cmk_emulator.request_log import RequestLog


class EmulatorState:
    def __init__(self) -> None:
        self.requests = RequestLog()
        self.config = ConfigState()
        self.faults = FaultInjector()

    def reset(self) -> None:
        from secrets_cmk_emulator.latency import LATENCY
        from secrets_cmk_emulator.patches.secretsmanager_list_lag import LIST_LAG

        LIST_LAG.reset()
        LATENCY.reset()
        self.requests.reset()
        self.config.reset()
        self.faults.reset()


STATE = EmulatorState()


def reset_everything() -> None:
    """Clear the emulator's state and all of moto's AWS state."""
    from moto.moto_api import _internal

    STATE.reset()
    _internal.moto_api_backend.reset()
