"""Generate the README's SVG screenshots from the simulated account (run_test + save_screenshot).

.venv/bin/python scripts/screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (150, 40)


async def shoot(
    out: Path,
    name: str,
    *keys: str,
    space: str | None = None,
    modal: bool = False,
    fault: str | None = None,
    settle_keys: bool = False,
    size: tuple[int, int] = SIZE,
    typed: str = "",
    org: bool = False,
    **app_options: object,
) -> None:
    from sm_spaces.demo.server import DemoServer
    from sm_spaces.ui.testing import demo_app, demo_org_app, highlight, settle, wait_until

    async with DemoServer() as server:
        app = (demo_org_app if org else demo_app)(server, **app_options)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if space:
                highlight(app, space)
                await settle(pilot)
            if fault == "expired":
                server.faults.expired = True
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                if settle_keys:  # e.g. f opens a forward in a worker before F lists it
                    await settle(pilot)
            if modal:
                await wait_until(pilot, lambda: len(app.screen_stack) > 1)
                for char in typed:  # into the dialog's field, once it is open
                    await pilot.press(char)
                await pilot.pause(0.1)
            else:
                await settle(pilot)
            if fault is None:
                app.clear_notifications()
            await pilot.pause()
            app.save_screenshot(str(out / f"{name}.svg"))
        # The app closed its forwards and clients as it ended.
    print(f"wrote {out / name}.svg")


async def main(out: Path) -> None:
    await shoot(out, "main", space="fraud-detection")
    await shoot(out, "grouped", "g", space="llm-finetune")
    await shoot(out, "region-picker", "R", modal=True)
    await shoot(out, "filter", "slash", *"alice running", space=None)
    await shoot(out, "profile-filter", "u", modal=True)
    await shoot(out, "confirm-stop", "x", space="fraud-detection", modal=True)
    await shoot(out, "error-credentials", "r", fault="expired")
    await shoot(out, "forwards", "f", "F", space="fraud-detection", modal=True, settle_keys=True)
    await shoot(out, "confirm-start", "c", space="feature-store-dev", modal=True)
    await shoot(out, "new-space", "n", space="fraud-detection", modal=True, typed="churn-v2")
    await shoot(out, "delete-space", "D", space="llm-finetune", modal=True, typed="llm-fine")
    await shoot(out, "edit-space", "E", space="genai-playground", modal=True)
    # 80 x 24: the detail pane is hidden below 100 columns; `d` opens it under the list.
    await shoot(out, "narrow-80x24", space="fraud-detection", size=(80, 24))
    await shoot(out, "narrow-details-80x24", "d", space="fraud-detection", size=(80, 24))
    # Every account the simulated Identity Center login reaches (--demo --all-accounts).
    await shoot(out, "accounts", "slash", *"running", "enter", space="segmentation-v2", org=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:  # never touch the user's settings or cache
        os.environ["SM_SPACES_CONFIG_DIR"] = os.path.join(scratch, "config")
        os.environ["SM_SPACES_CACHE_DIR"] = os.path.join(scratch, "cache")
        target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(target))
