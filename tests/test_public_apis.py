"""Public APIs only (issue 12): no file under app/ imports a dependency's private module, touches a
private attribute that is not ours, or overrides a private method of a dependency's class. The
checker (tests/private_access.py) reads the source; these tests also plant each kind of offence in
a small source and show that it is caught, and that our own private names are not."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.private_access import Checker, Finding, check_tree

ROOT = Path(__file__).resolve().parent.parent


def test_no_file_under_app_reaches_into_a_dependencys_private_parts() -> None:
    findings = [str(f) for f in check_tree(ROOT)]
    assert not findings, "private parts of a dependency used:\n" + "\n".join(findings)


# --- planted offences ----------------------------------------------------------------------------


def _check(source: str, **more: str) -> list[Finding]:
    files = {"app/planted.py": textwrap.dedent(source)} | {
        f"app/{name}.py": textwrap.dedent(text) for name, text in more.items()
    }
    return Checker(files).run()


def _found(source: str, **more: str) -> set[tuple[str, str]]:
    return {(f.kind, f.name) for f in _check(source, **more)}


def test_a_private_module_or_name_of_a_dependency_is_caught() -> None:
    found = _found(
        """
        import textual._border
        from aiohttp._websocket.writer import WebSocketWriter
        from botocore import _helpers
        import rich.segment
        from yarl import URL
        """
    )
    assert found == {
        ("private import", "textual._border"),
        ("private import", "aiohttp._websocket.writer"),
        ("private import", "botocore._helpers"),
    }


def test_a_private_attribute_that_is_not_ours_is_caught() -> None:
    found = _found(
        """
        import textual
        from textual.widget import Widget

        def writer_of(ws):
            return ws._writer  # aiohttp's, on an object we were handed

        def sniff(ws):
            return getattr(ws, "_writer", None)

        def border():
            return textual._border, Widget._nodes
        """
    )
    assert found == {
        ("private attribute", "_writer"),
        ("private attribute", "textual._border"),
        ("private attribute", "textual.widget.Widget._nodes"),
    }


def test_a_dependencys_private_attribute_through_inheritance_is_caught() -> None:
    found = _found(
        """
        from textual.scroll_view import ScrollView

        class Tree(ScrollView):
            def bar(self):
                return self._vertical_scrollbar
        """
    )
    assert found == {("private attribute", "_vertical_scrollbar")}


def test_overriding_a_private_method_of_a_dependencys_class_is_caught() -> None:
    found = _found(
        """
        from aiobotocore.parsers import AioJSONParser

        class Lean(AioJSONParser):
            def _handle_json_body(self, raw_body, shape):
                return super()._handle_json_body(raw_body, shape)
        """
    )
    assert found == {
        ("private override", "Lean._handle_json_body"),
        ("private attribute", "_handle_json_body"),
    }


def test_through_our_own_base_class_too() -> None:
    found = _found(
        """
        from .base import Base

        class Leaf(Base):
            def _on_key(self, event):
                pass
        """,
        base="""
        from textual.widgets import Input

        class Base(Input):
            pass
        """,
    )
    assert ("private override", "Leaf._on_key") in found


def test_our_own_private_names_are_not_reported() -> None:
    found = _found(
        """
        import os
        from dataclasses import dataclass, field
        from textual.widget import Widget

        from . import helpers

        _CACHE = {}

        @dataclass
        class Record:
            _hidden: int = 0

        class Panel(Widget):
            def __init__(self):
                super().__init__()
                self._rows = []

            def _redraw(self):
                return self._rows, helpers._shared(), Record()._hidden

        def other(panel):
            panel._rows.clear()
            os._exit(0)
        """,
        helpers="""
        def _shared():
            return 1
        """,
    )
    assert found == set()
