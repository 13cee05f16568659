"""The simulated AWS account behind `--demo` and `sm-spaces demo serve` (DESIGN.md section 2).

Names are imported lazily so that importing demo.sessions stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .account import DemoAccount
    from .faults import Faults
    from .server import DemoServer, ThreadedDemo
    from .sigv4 import Credentials

__all__ = ["Credentials", "DemoAccount", "DemoServer", "Faults", "ThreadedDemo"]

_WHERE = {
    "DemoAccount": ".account",
    "Faults": ".faults",
    "DemoServer": ".server",
    "ThreadedDemo": ".server",
    "Credentials": ".sigv4",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
