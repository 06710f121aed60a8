"""secrets-cmk's AWS emulator: moto 5.2.5 in server mode on loopback, plus a patch layer.

moto emulates Secrets Manager, KMS, STS and most of Config well enough for the rule's
end-to-end tests, but a few behaviours the rule depends on are missing or wrong
(measured, see README.md). Each gap is fixed by one small module under ``patches``;
the WSGI layer in ``middleware`` adds a request log and fault injection; ``admin``
serves the test-only HTTP API under ``/_secrets_cmk/``.

Start it with ``tests/emulator/server.py --port 0`` (see ``cli``).
"""

ADMIN_PREFIX = "/_secrets_cmk/"
READY_LINE_PREFIX = "SECRETS_CMK_EMULATOR_READY"
DEFAULT_ACCOUNT_ID = "123456789012"
