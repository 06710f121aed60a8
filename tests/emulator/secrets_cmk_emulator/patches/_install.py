"""Replace a method on a moto class exactly once, keeping the original reachable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MARK = "__secrets_cmk_patch__"


def install(owner: type, name: str, make: Callable[[Any], Callable[..., Any]]) -> None:
    """Set ``owner.name = make(original)`` unless this patch is already installed.

    ``original`` is ``None`` when moto does not implement the method at all.
    """
    original = owner.__dict__.get(name)
    if getattr(original, _MARK, False):
        return
    replacement = make(original)
    setattr(replacement, _MARK, True)
    setattr(owner, name, replacement)
