"""Open a space in VS Code or Cursor through Remote-SSH and the alias from our ssh config block.

The editor is started as `code --remote ssh-remote+<alias> /home/sagemaker-user`: Remote-SSH then
reads ~/.ssh/config, where the alias's ProxyCommand is `sm-spaces ssh-proxy`. Nothing else is
passed on its command line (no ARN, no credentials).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..file_checks import read_regular
from ..model import REMOTE_HOME

SERVER_INSTALL_PATH_KEY = "remote.SSH.serverInstallPath"


@dataclass(frozen=True, slots=True)
class Editor:
    command: str  # the shell command the editor installs on PATH
    product: str  # what the user calls it
    settings_dir: str  # the folder name of its user settings ("Code", "Cursor")
    install_hint: str

    def argv(self, executable: str, alias: str) -> list[str]:
        return [executable, "--remote", f"ssh-remote+{alias}", REMOTE_HOME]

    def settings_files(self) -> list[Path]:
        """Where the editor keeps its user settings.json, per platform."""
        home = Path.home()
        if sys.platform == "darwin":
            base = home / "Library" / "Application Support"
        elif sys.platform == "win32":
            base = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
        else:
            base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        return [base / self.settings_dir / "User" / "settings.json"]


EDITORS = {
    "code": Editor(
        "code",
        "VS Code",
        "Code",
        "install it from VS Code: Command Palette > \"Shell Command: Install 'code' command in PATH\"",
    ),
    "cursor": Editor(
        "cursor",
        "Cursor",
        "Cursor",
        "install it from Cursor: Command Palette > \"Shell Command: Install 'cursor' command in PATH\"",
    ),
}


class EditorMissing(Exception):
    """The editor's command is not on PATH; the message says how to get it."""


def find_editor(name: str) -> tuple[Editor, str]:
    """The editor and the absolute path of its command, or EditorMissing."""
    editor = EDITORS[name]
    executable = shutil.which(editor.command)
    if executable is None:
        raise EditorMissing(f"`{editor.command}` is not on PATH; {editor.install_hint}, then run this again")
    return editor, executable


def server_install_path_set(editor: Editor, alias: str) -> bool:
    """Whether the editor's user settings already give `alias` a Remote-SSH server install path.

    settings.json is JSON with comments, so this only looks for the key and the alias inside its
    value; a settings file that cannot be read counts as "not set" (we only print a tip)."""
    for path in editor.settings_files():
        try:
            text = read_regular(path).decode("utf-8", errors="replace")  # a FIFO: skipped, not waited on
        except OSError:
            continue
        match = re.search(re.escape(json.dumps(SERVER_INSTALL_PATH_KEY)) + r"\s*:\s*\{([^}]*)\}", text)
        if match and json.dumps(alias) in match.group(1):
            return True
    return False


def server_install_path_tip(editor: Editor, alias: str) -> str:
    setting = json.dumps({SERVER_INSTALL_PATH_KEY: {alias: REMOTE_HOME}})
    return (
        f"tip: SageMaker spaces keep the {editor.product} server under {REMOTE_HOME}; if Remote-SSH "
        f"cannot install it, add {setting} to {editor.product}'s user settings.json"
    )
