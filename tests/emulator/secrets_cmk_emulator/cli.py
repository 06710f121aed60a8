"""Command line: serve the emulator on loopback until told to stop.

Prints exactly one line to stdout once the socket accepts connections::

    SECRETS_CMK_EMULATOR_READY port=<PORT>

and nothing else there (logs go to stderr). Stops cleanly, exit status 0, on SIGTERM,
on SIGINT, and - with ``--exit-on-stdin-close`` - when stdin reaches end of file, so
a test harness that dies (closing the pipe) never leaves the server running.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

from secrets_cmk_emulator import READY_LINE_PREFIX


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="server.py",
        description="secrets-cmk AWS emulator: moto 5.2.5 plus a documented patch layer, on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument(
        "--exit-on-stdin-close", action="store_true", help="stop when stdin reaches end of file"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed moto's random ids (key ids, ARN suffixes)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def _watch_stdin(stop: threading.Event) -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.WARNING)

    # Imported late: moto is slow to import and --help should not wait for it.
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from secrets_cmk_emulator.app import build_app

    if args.seed is not None:
        from moto.moto_api._internal import mock_random

        mock_random.seed(args.seed)

    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    # moto builds URLs to itself from MOTO_PORT in a few places.
    os.environ.setdefault("MOTO_PORT", str(port))

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.exit_on_stdin_close:
        threading.Thread(target=_watch_stdin, args=(stop,), name="stdin-watch", daemon=True).start()

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="serve", daemon=True)
    serving.start()
    # The socket has listened since make_server; serve_forever is now accepting.
    print(f"{READY_LINE_PREFIX} port={port}", flush=True)

    while not stop.wait(0.1):
        if not serving.is_alive():
            logging.getLogger(__name__).error("server thread died")
            return 1
    server.shutdown()
    server.server_close()
    return 0
