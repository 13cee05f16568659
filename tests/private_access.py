"""Finds where our source reaches into a dependency's private parts (issue 12: public APIs only).

Three kinds, found by reading the source (ast) and, for base classes, the dependency itself:
- "private import": importing a private module or name of a third-party package
  (`import textual._border`, `from aiohttp._websocket import X`, `from botocore import _helpers`).
- "private attribute": `x._name` (or getattr/setattr/hasattr/delattr with "_name") where `_name` is
  not ours. Ours means defined somewhere in the checked source: a function, class or module-level
  name, a class-level name, or an attribute set on `self`/`cls`. On `self`, `cls` and `super()` the
  class is looked at too: a name that one of its third-party base classes defines is the
  dependency's, even where we also assign it. A name reached through a third-party module or class
  (`textual._border`, `Widget._x`) is always the dependency's. Standard-library modules are left
  alone (`os._exit` is documented API).
- "private override": a method (or class attribute) `_name` in a class with a third-party base
  class that defines `_name` itself (its class dictionary, or `self._name = ...` in its source).
Dunder names (`__init__`) are public protocol and never reported.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

OURS = "sm_spaces"  # app/ installs under this import name


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} {self.name}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def third_party(dotted: str) -> bool:
    top = dotted.split(".", 1)[0]
    return bool(top) and top != OURS and top not in sys.stdlib_module_names


def module_name(path: str) -> str:
    """app/ui/widgets/tree.py -> sm_spaces.ui.widgets.tree (app/x/__init__.py -> sm_spaces.x)."""
    parts = list(Path(path).with_suffix("").parts)
    parts[0] = OURS
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, level: int, target: str | None, is_package: bool) -> str:
    if level == 0:
        return target or ""
    base = module.split(".")
    base = base[: len(base) - level + (1 if is_package else 0)]
    return ".".join(base + ([target] if target else []))


@dataclass
class Module:
    path: str
    name: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)


class Checker:
    def __init__(self, sources: dict[str, str]) -> None:
        self.modules: dict[str, Module] = {}
        for path, text in sorted(sources.items()):
            mod = Module(path, module_name(path), ast.parse(text, filename=path))
            self.modules[mod.name] = mod
        self.ours: set[str] = set()
        for mod in self.modules.values():
            self._index(mod)
        self.findings: list[Finding] = []

    # --- what the source defines and imports --------------------------------------------------

    def _index(self, mod: Module) -> None:
        is_package = mod.path.endswith("__init__.py")
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        mod.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        mod.imports.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(mod.name, node.level, node.module, is_package)
                for alias in node.names:
                    mod.imports[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if is_private(node.name):
                    self.ours.add(node.name)
                if isinstance(node, ast.ClassDef):
                    mod.classes.setdefault(node.name, node)
                    for item in node.body:  # class-level names: fields, constants, slots
                        for target in _assigned(item):
                            if isinstance(target, ast.Name) and is_private(target.id):
                                self.ours.add(target.id)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for target in _assigned(node):
                    if (
                        isinstance(target, ast.Attribute)
                        and _is_self(target.value)
                        and is_private(target.attr)
                    ):
                        self.ours.add(target.attr)
            elif isinstance(node, ast.Call) and _attribute_function(node) in ("setattr", "__setattr__"):
                name = _literal_name(node)
                if name and is_private(name) and node.args and _is_self(node.args[0]):
                    self.ours.add(name)
        for node in mod.tree.body:  # module-level names
            for target in _assigned(node):
                if isinstance(target, ast.Name) and is_private(target.id):
                    self.ours.add(target.id)

    def _resolve(self, mod: Module, expr: ast.expr) -> str | None:
        """The dotted name an expression made of names and attributes refers to, if known."""
        if isinstance(expr, ast.Subscript):  # Generic[T], ModalScreen[bool]
            return self._resolve(mod, expr.value)
        if isinstance(expr, ast.Attribute):
            head = self._resolve(mod, expr.value)
            return f"{head}.{expr.attr}" if head else None
        if isinstance(expr, ast.Name):
            if expr.id in mod.imports:
                return mod.imports[expr.id]
            if expr.id in mod.classes:
                return f"{mod.name}.{expr.id}"
        return None

    # --- classes: ours, and the third-party ones beneath them ----------------------------------

    def _our_class(
        self, dotted: str, seen: frozenset[str] = frozenset()
    ) -> tuple[Module, ast.ClassDef] | None:
        module, _, name = dotted.rpartition(".")
        mod = self.modules.get(module)
        if mod is None or dotted in seen:
            return None
        if name in mod.classes:
            return mod, mod.classes[name]
        if name in mod.imports:  # re-exported
            return self._our_class(mod.imports[name], seen | {dotted})
        return None

    def dependency_privates(
        self, mod: Module, cls: ast.ClassDef, seen: frozenset[str] = frozenset()
    ) -> set[str]:
        """Private names the third-party base classes of `cls` define (through our own bases too)."""
        names: set[str] = set()
        for base in cls.bases:
            dotted = self._resolve(mod, base)
            if not dotted or dotted in seen:
                continue
            if dotted.startswith((OURS + ".", mod.name + ".")):
                found = self._our_class(dotted)
                if found:
                    names |= self.dependency_privates(*found, seen | {dotted})
            elif third_party(dotted):
                names |= _runtime_privates(dotted)
        return names

    # --- the checks -------------------------------------------------------------------------------

    def run(self) -> list[Finding]:
        for mod in self.modules.values():
            self._imports(mod)
            self._walk(mod, mod.tree, None)
        return sorted(set(self.findings))

    def _report(self, mod: Module, node: ast.AST, kind: str, name: str) -> None:
        self.findings.append(Finding(mod.path, getattr(node, "lineno", 0), kind, name))

    def _imports(self, mod: Module) -> None:
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if third_party(alias.name) and any(map(is_private, alias.name.split("."))):
                        self._report(mod, node, "private import", alias.name)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if not third_party(node.module):
                    continue
                if any(map(is_private, node.module.split("."))):
                    self._report(mod, node, "private import", node.module)
                    continue
                for alias in node.names:
                    if is_private(alias.name):
                        self._report(mod, node, "private import", f"{node.module}.{alias.name}")

    def _walk(self, mod: Module, node: ast.AST, cls: ast.ClassDef | None) -> None:
        if isinstance(node, ast.ClassDef):
            self._class_body(mod, node)
            cls = node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Attribute) and is_private(child.attr):
                self._access(mod, child, child.value, child.attr, cls)
            elif isinstance(child, ast.Call) and _attribute_function(child) in (
                "getattr",
                "setattr",
                "hasattr",
                "delattr",
            ):
                name = _literal_name(child)
                if name and is_private(name) and child.args:
                    self._access(mod, child, child.args[0], name, cls)
            self._walk(mod, child, cls)

    def _class_body(self, mod: Module, cls: ast.ClassDef) -> None:
        theirs = self.dependency_privates(mod, cls)
        if not theirs:
            return
        for item in cls.body:
            names = [item.name] if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
            names += [t.id for t in _assigned(item) if isinstance(t, ast.Name)]
            for name in names:
                if is_private(name) and name in theirs:
                    self._report(mod, item, "private override", f"{cls.name}.{name}")

    def _access(
        self, mod: Module, node: ast.AST, receiver: ast.expr, name: str, cls: ast.ClassDef | None
    ) -> None:
        if _is_self(receiver) or _is_super(receiver):
            # The dependency's even where we assign it too; else it must be defined in our source.
            inherited = cls is not None and name in self.dependency_privates(mod, cls)
            if inherited or name not in self.ours:
                self._report(mod, node, "private attribute", name)
            return
        dotted = self._resolve(mod, receiver)
        if dotted is not None:
            if third_party(dotted):  # textual._border, Widget._x: the dependency's, whatever we define
                self._report(mod, node, "private attribute", f"{dotted}.{name}")
                return
            if not dotted.startswith(OURS):  # a standard-library module or name
                return
        if name not in self.ours:
            self._report(mod, node, "private attribute", name)


def _assigned(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        out: list[ast.expr] = []
        for target in node.targets:
            out += list(target.elts) if isinstance(target, (ast.Tuple, ast.List)) else [target]
        return out
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target]
    return []


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id in ("self", "cls")


def _is_super(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"


def _attribute_function(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_name(call: ast.Call) -> str | None:
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str):
        return call.args[1].value
    return None


@cache
def _runtime_privates(dotted: str) -> frozenset[str]:
    """The private names a third-party class and its third-party bases define: their class
    dictionaries, and the `self._x` attributes their source assigns."""
    module, _, name = dotted.rpartition(".")
    try:
        obj: Any = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        try:  # a class inside a class, or a module attribute chain
            head, _, tail = module.rpartition(".")
            obj = getattr(getattr(importlib.import_module(head), tail), name)
        except (ImportError, AttributeError, ValueError):
            return frozenset()
    if not isinstance(obj, type):
        return frozenset()
    names: set[str] = set()
    for klass in obj.__mro__:
        if not third_party(klass.__module__):
            continue
        names |= {n for n in vars(klass) if is_private(n)}
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        try:
            tree = ast.parse(textwrap.dedent(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            for target in _assigned(node):
                if isinstance(target, ast.Attribute) and _is_self(target.value) and is_private(target.attr):
                    names.add(target.attr)
    return frozenset(names)


def check_tree(root: Path) -> list[Finding]:
    """Every finding in the Python files under root/app."""
    sources = {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted((root / "app").rglob("*.py"))
    }
    return Checker(sources).run()


if __name__ == "__main__":
    for finding in check_tree(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(finding)
