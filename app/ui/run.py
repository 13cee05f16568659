"""Entry point for the CLI: builds the app and runs it. Textual is imported here, not at CLI import."""

from __future__ import annotations

import gc
import sys


class _Pause:
    by_us = False  # the collector was on and run.py turned it off


def pause_gc_until_first_frame() -> None:
    """No cyclic garbage collection while the TUI starts (and none of our doing after it).

    Importing Textual and our modules and building the first screen allocate a few hundred thousand
    objects, most of them for good, which the collector would walk again and again before the first
    frame (BENCHMARKS.md, "First paint"). What little startup garbage has cycles waits until then.
    """
    if gc.isenabled():  # someone who turned it off keeps it off
        gc.disable()
        _Pause.by_us = True


def resume_gc() -> None:
    """Called once the first frame is out (SpacesApp.on_mount), and when the app ends early."""
    if _Pause.by_us:
        _Pause.by_us = False
        gc.enable()


def run_tui(
    *,
    profile: str | None,
    regions: list[str] | None,
    endpoint_url: str | None,
    credentials: tuple | None,
    readonly: bool,
    demo_server=None,
    profiles: list[str | None] | None = None,
    all_accounts: bool = False,
) -> int:
    """Run the TUI until the user quits; returns the exit code.

    With `demo_server` (an app.demo DemoServer already running), its endpoint, credentials and
    region are used unless given explicitly, and the listing cache is kept apart from real profiles.
    """
    pause_gc_until_first_frame()
    try:
        from .app import INTERRUPTED, SpacesApp

        cache_profile = None
        if demo_server is not None:
            endpoint_url = endpoint_url or demo_server.endpoint_url
            if credentials is None:
                c = demo_server.credentials
                credentials = (c.access_key, c.secret_key, c.token)
            regions = regions or [demo_server.region]
            cache_profile = "demo"
        many = None
        if all_accounts or len(profiles or []) > 1:  # several accounts: the tree's top level
            from .services import Many

            files = demo_server.sso_files if demo_server is not None else None
            demo_files = (str(files.config_file), str(files.cache_dir)) if files is not None else None
            many = Many(list(profiles or [profile]), all_accounts, demo_files)
        app = SpacesApp(
            many=many,
            profile=profile,
            regions=regions,
            endpoint_url=endpoint_url,
            credentials=credentials,
            readonly=readonly,
            cache_profile=cache_profile,
            # The simulator's regions are not the user's: don't let a demo run rewrite their settings.
            use_settings=demo_server is None,
            catch_sigint=True,
        )
        app.run()
    finally:
        resume_gc()
    # Textual's return code: 1 when the app ended on an unhandled exception (it printed the
    # traceback), 130 after Ctrl-C (SpacesApp.action_interrupt), else what `exit` was given.
    code = app.return_code if app.return_code is not None else 1
    for line in app.leaving.farewell:  # a change the user quit during: its state, and how to finish it
        print(f"sm-spaces: {line}", file=sys.stderr)
    if code == INTERRUPTED:
        print("sm-spaces: interrupted", file=sys.stderr)
    return code
