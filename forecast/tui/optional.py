"""Services that other parts of forecast provide: imported when first needed, absent without failing."""

from __future__ import annotations

import importlib
from types import ModuleType

NOT_AVAILABLE = "not available in this version of forecast yet"


def service(name: str) -> ModuleType | None:
    """forecast.services.<name>, or None when that module does not exist (yet)."""
    module = f"forecast.services.{name}"
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def has(name: str, *functions: str) -> bool:
    mod = service(name)
    return mod is not None and all(hasattr(mod, f) for f in functions)
