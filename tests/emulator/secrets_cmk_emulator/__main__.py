"""``python -m secrets_cmk_emulator`` (with ``tests/emulator`` on ``PYTHONPATH``)."""

from secrets_cmk_emulator.cli import main

raise SystemExit(main())
