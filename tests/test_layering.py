"""Layering: only app/ui imports textual; the CLI's fast paths import nothing heavy."""

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_imports_textual():
    offenders = [
        str(p.relative_to(APP))
        for p in APP.rglob("*.py")
        if "textual" in _imports(p) and p.relative_to(APP).parts[0] != "ui"
    ]
    assert offenders == []


def test_ui_never_imports_botocore():
    offenders = [
        str(p.relative_to(APP))
        for p in (APP / "ui").rglob("*.py")
        if _imports(p) & {"botocore", "aiobotocore", "boto3"}
    ]
    assert offenders == []


def test_core_packages_load_without_textual():
    code = (
        "import sys, sm_spaces.model, sm_spaces.aws.service, sm_spaces.aws.context, sm_spaces.cli;"
        "import sm_spaces.ssm, sm_spaces.connect, sm_spaces.demo;"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version_imports_nothing_heavy():
    code = (
        "import sys; from sm_spaces.cli import main\n"
        "try: main(['--version'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('textual','botocore','aiobotocore','asyncssh','aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_installed_under_its_own_import_name(tmp_path):
    """Installed, the package is `sm_spaces`; nothing named `app` is put on the path (it would collide
    with other projects' `app`), and its modules import each other relatively."""
    code = "import importlib.util, sm_spaces; print(importlib.util.find_spec('app') is None)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "True"
    absolute = [
        str(p.relative_to(APP))
        for p in APP.rglob("*.py")
        if "app" in _imports(p) or "sm_spaces" in _imports(p)
    ]
    assert absolute == []


def test_tests_and_tools_use_the_installed_name():
    root = APP.parent
    offenders = [
        str(p.relative_to(root))
        for folder in ("tests", "bench", "scripts")
        for p in (root / folder).rglob("*.py")
        if "app" in _imports(p)
    ]
    assert offenders == []
