"""The simulated AWS account behind `--demo` and `sm-spaces demo serve` (DESIGN.md section 2).

Names are imported lazily so that `import app.demo.sessions` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.demo.account import DemoAccount
    from app.demo.faults import Faults
    from app.demo.server import DemoServer, ThreadedDemo
    from app.demo.sigv4 import Credentials

__all__ = ["Credentials", "DemoAccount", "DemoServer", "Faults", "ThreadedDemo"]

_WHERE = {
    "DemoAccount": "app.demo.account",
    "Faults": "app.demo.faults",
    "DemoServer": "app.demo.server",
    "ThreadedDemo": "app.demo.server",
    "Credentials": "app.demo.sigv4",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'app.demo' has no attribute {name!r}")
