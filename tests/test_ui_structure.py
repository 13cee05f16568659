"""How the UI is put together, checked on its source and its classes: one doorway to the AWS layer,
no string-built dispatch, no markup from data, one registry of actions, an app made of parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sm_spaces.ui import registry
from sm_spaces.ui.app import SpacesApp
from sm_spaces.ui.registry import ACTIONS, SpaceAction
from textual.app import App

UI = Path(__file__).resolve().parent.parent / "app" / "ui"
UI_FILES = sorted(UI.rglob("*.py"))
# The UI names the AWS layer through these modules only: the typed interface and its errors.
AWS_DOORWAYS = {"api", "errors"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imported_modules(path: Path) -> list[str]:
    """Every module imported by `path`; ours as "app.aws.api", "app.connect.forward", ..."""
    package = ("app", *path.relative_to(UI.parent).with_suffix("").parts[:-1])  # ("app", "ui"[, "screens"])
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = [*package[: len(package) - (node.level - 1)], *(node.module or "").split(".")]
            base = [part for part in base if part]
            found.append(".".join(base))
            found += [".".join([*base, alias.name]) for alias in node.names]  # `from ..aws import api`
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_the_ui_reaches_aws_only_through_its_typed_interface():
    seen = set()
    for path in UI_FILES:
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[:2] == ["app", "aws"] and len(parts) > 2:
                # (a name imported from a doorway, such as app.aws.api.SpacesApi, is fine too)
                seen.add(".".join(parts[:3]))
                assert parts[2] in AWS_DOORWAYS, f"{path.name} imports {module}"
            assert parts[:2] != ["app", "commands"], f"{path.name} calls the CLI's {module}"
            assert module not in ("importlib", "argparse"), f"{path.name} imports {module}"
    assert seen == {"app.aws.api", "app.aws.errors"}  # the check saw the imports it is about


def test_no_markup_reaches_a_notification():
    calls = 0
    for path in UI_FILES:
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "notify"
            ):
                calls += 1
                markup = [k.value for k in node.keywords if k.arg == "markup"]
                assert (
                    len(markup) == 1 and isinstance(markup[0], ast.Constant) and markup[0].value is False
                ), f"{path.name}:{node.lineno} notify() without markup=False"
    assert calls >= 2  # Notices.say and the forwards screen


def test_no_state_written_behind_a_parts_back():
    for path in UI_FILES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute):
                assert node.attr != "__dict__", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
                target = node.args[0] if node.args else None
                assert not (isinstance(target, ast.Name) and target.id == "self"), (
                    f"{path.name}:{node.lineno} getattr(self, ...)"
                )


def test_the_app_is_an_app_not_a_stack_of_mixins():
    assert SpacesApp.__bases__ == (App,)


def test_every_space_action_is_declared_once_and_has_a_flow():
    declared = [a.space_action for a in ACTIONS if a.on_space]
    assert sorted(declared) == sorted(SpaceAction)
    app = SpacesApp(use_settings=False, background_refresh=False)
    for action in SpaceAction:
        assert callable(app.flow_for(action))


@pytest.mark.parametrize("action", [a for a in ACTIONS if not a.on_space], ids=lambda a: a.name)
def test_every_other_action_is_a_method_of_the_app(action):
    assert callable(getattr(SpacesApp, f"action_{action.name}", None))


def test_a_key_belongs_to_one_action():
    keys = [k for a in ACTIONS for k in a.all_keys()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("readonly", [False, True])
def test_footer_help_and_palette_follow_the_read_only_rule(readonly):
    mutating = {a.name for a in ACTIONS if a.mutates}
    assert mutating == {
        "start", "stop", "remote_access", "instance_type", "idle_timeout", "edit", "delete", "new_space"
    }  # fmt: skip
    helped = {line for _, line in registry.help_rows(readonly)}
    offered = {a.name for a in (*registry.space_actions(readonly), *registry.view_actions(readonly))}
    for name in mutating:
        action = registry.BY_NAME[name]
        assert (action.help in helped) is not readonly
        assert (name in offered) is not readonly
        if action.on_space:
            assert registry.permits(registry.ON_SPACE, (name,), readonly) is not readonly
        else:
            assert registry.permits(name, (), readonly) is not readonly
        assert registry.permits(registry.READ_ONLY, (name,), readonly) is readonly
    assert registry.permits(registry.ON_SPACE, ("connect",), readonly)


def test_the_interface_module_imports_no_sdk():
    import json
    import subprocess
    import sys

    code = "import json, sys, sm_spaces.aws.api\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(out.stdout))
    assert "sm_spaces.aws.api" in modules
    assert not {m.split(".")[0] for m in modules} & {"botocore", "aiobotocore", "aiohttp", "boto3"}
    assert "sm_spaces.aws.service" not in modules
