"""Build the emulator's WSGI application: patches applied, moto behind our middleware."""

from __future__ import annotations

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from secrets_cmk_emulator.admin import admin_app
from secrets_cmk_emulator.middleware import EmulatorMiddleware
from secrets_cmk_emulator.patches import apply_all


def build_app() -> EmulatorMiddleware:
    """moto's own server application (as ``moto_server`` builds it) behind our layer."""
    apply_all()
    return EmulatorMiddleware(DomainDispatcherApplication(create_backend_app), admin_app)
