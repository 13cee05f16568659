"""Editable installs expose app/ under the import name sm_spaces, as wheels do.

The project keeps its source in app/ (the layout asked for), but an installed package named `app`
would collide with anyone else's `app`. Wheels rename it through force-include; hatchling's own
editable mode cannot rename a package, so this hook maps the name with the `editables` redirector
(the mechanism hatchling itself uses for exact editable installs).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

IMPORT_NAME = "sm_spaces"


class EditableUnderOwnName(BuildHookInterface):  # type: ignore[type-arg]  # hatchling's generic is untyped
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version != "editable":
            return
        from editables import EditableProject

        project = EditableProject(IMPORT_NAME, self.root)
        project.map(IMPORT_NAME, os.path.join(self.root, "app"))
        out = tempfile.mkdtemp(prefix="sm-spaces-editable-")
        for name, content in project.files():
            path = os.path.join(out, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            build_data["force_include_editable"][path] = name
        build_data["dependencies"].extend(project.dependencies())
