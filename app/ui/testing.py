"""Building the app against a running simulated account: shared by tests, screenshots and benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot

from .app import SpacesApp
from .clock import FrozenClock

if TYPE_CHECKING:
    from ..demo.server import DemoServer


def demo_app(server: DemoServer, **overrides: Any) -> SpacesApp:
    """A SpacesApp on `server` (a started DemoServer): frozen clock, no background refresh, fast
    polling. The app closes its clients and forwards itself when it ends, however it ends."""
    c = server.credentials
    options: dict[str, Any] = dict(
        regions=[server.region],
        endpoint_url=server.endpoint_url,
        credentials=(c.access_key, c.secret_key, c.token),
        clock=FrozenClock(),
        background_refresh=False,
        poll_interval=0.05,
        cache_profile="demo",
        use_settings=False,
    )
    options.update(overrides)
    return SpacesApp(**options)


def demo_org_app(server: DemoServer, **overrides: Any) -> SpacesApp:
    """demo_app over the simulated organisation: every account its Identity Center login reaches,
    side by side (as `sm-spaces --demo --all-accounts`)."""
    from .services import Many

    files = server.sso_files
    assert files is not None, "start the server first"
    many = Many([None], True, (str(files.config_file), str(files.cache_dir)))
    return demo_app(server, many=many, **overrides)


async def settle(pilot: Pilot[int]) -> None:
    """Let workers finish and the screen catch up (snapshot `run_before`, tests).

    Workers start workers (a listing moves the cursor, which describes the highlighted space), so
    wait until a pause starts none; a cancelled exclusive worker is not a failure here.
    """
    from textual.worker import WorkerCancelled

    for _ in range(20):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def wait_until(
    pilot: Pilot[int], condition: Callable[[], bool], rounds: int = 400, step: float = 0.02
) -> bool:
    """Pump the app until `condition()` holds; False if it never did (the caller asserts)."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(step)
    return condition()


def highlight(app: SpacesApp, space_name: str) -> None:
    """Put the tree cursor on the space called `space_name`."""
    tree = app.space_tree
    for space in tree.space_lines():
        if space.name == space_name:
            tree.move_cursor(space)
            return
    raise LookupError(f"{space_name} is not in the tree")


async def ask_about(pilot: Pilot[int], space_name: str, key: str) -> bool:
    """Highlight a space and press `key`; whether a confirmation dialog then asks about it."""
    from .screens.confirm import ConfirmScreen

    app = pilot.app
    assert isinstance(app, SpacesApp)
    highlight(app, space_name)
    await pilot.press(key)
    return await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))


def shown(app: SpacesApp) -> dict[str, str]:
    """Space name → status as drawn in the tree right now."""
    return {s.name: s.status.value for s in app.space_tree.space_lines()}


def said(app: SpacesApp) -> str:
    """Every line the app has told the user (still kept), one a line."""
    return app.notices.text()


def detail_lines(app: SpacesApp) -> list[str]:
    """The detail pane's lines as drawn on screen now (through its render_line)."""
    from .widgets.detail import DetailPane

    pane = app.query_one(DetailPane)
    return [
        "".join(segment.text for segment in pane.render_line(y)).rstrip() for y in range(pane.size.height)
    ]


def drawn_lines(app: SpacesApp) -> list[str]:
    """The tree's lines as drawn on screen now (through the Line API's render_line)."""
    tree = app.space_tree
    return ["".join(segment.text for segment in tree.render_line(y)) for y in range(tree.size.height)]
