"""AWS JSON-protocol errors raised from inside moto response handlers.

moto turns any ``HTTPException`` raised by a response method into an HTTP response
with the exception's status and body, so the patches raise these instead of building
responses by hand. The body is the shape the awsJson1_1 protocol uses
(``{"__type": code, "message": text}``), which every AWS SDK parses.
"""

from __future__ import annotations

from collections.abc import Sequence

from moto.core.exceptions import JsonRESTError


class AwsJsonError(JsonRESTError):
    """An error with an arbitrary code, status and message, in the JSON error shape."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(code, message)
        self.code = status


def _render(value: object) -> str:
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def constraint_violation(value: object, path: str, constraint: str) -> str:
    """One violation in the wording AWS's request validation uses."""
    return f"Value '{_render(value)}' at '{path}' failed to satisfy constraint: {constraint}"


def null_violation(path: str) -> str:
    """A required member that is missing (AWS prints ``null`` without quotes)."""
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def validation_exception(violations: Sequence[str]) -> AwsJsonError:
    """AWS's framework-level ``ValidationException``: ``N validation error(s) detected: a; b``."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return AwsJsonError(
        "ValidationException", f"{count} validation {noun} detected: " + "; ".join(violations)
    )


def length_violations(value: object, path: str, low: int, high: int) -> list[str]:
    """Violations of a string or list length constraint (``low``..``high`` inclusive)."""
    size = len(value)  # type: ignore[arg-type]
    if size < low:
        return [constraint_violation(value, path, f"Member must have length greater than or equal to {low}")]
    if size > high:
        return [constraint_violation(value, path, f"Member must have length less than or equal to {high}")]
    return []


def enum_violations(value: object, path: str, allowed: Sequence[str]) -> list[str]:
    """Violation of an enum constraint."""
    if value in allowed:
        return []
    return [constraint_violation(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")]


def range_violations(value: object, path: str, low: int, high: int) -> list[str]:
    """Violation of an integer range constraint (``low``..``high`` inclusive)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return [constraint_violation(value, path, "Member must be an integer")]
    if value < low:
        return [constraint_violation(value, path, f"Member must have value greater than or equal to {low}")]
    if value > high:
        return [constraint_violation(value, path, f"Member must have value less than or equal to {high}")]
    return []
