#!/usr/bin/env python3
"""Entrypoint: ``.venv/bin/python tests/emulator/server.py --port 0``.

Puts this directory on ``sys.path`` so the ``secrets_cmk_emulator`` package imports
without ``PYTHONPATH``, then hands over to its command line.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from secrets_cmk_emulator.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
