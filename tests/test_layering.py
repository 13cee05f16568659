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
        "import sys, app.model, app.aws.service, app.aws.context, app.cli;"
        "import app.ssm, app.connect, app.demo;"
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version_imports_nothing_heavy():
    code = (
        "import sys; from app.cli import main\n"
        "try: main(['--version'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('textual','botocore','aiobotocore','asyncssh','aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")
