"""Entry point for the CLI: builds the app and runs it. Textual is imported here, not at CLI import."""

from __future__ import annotations


def run_tui(
    *,
    profile: str | None,
    regions: list[str] | None,
    endpoint_url: str | None,
    credentials: tuple | None,
    readonly: bool,
    demo_server=None,
) -> int:
    """Run the TUI until the user quits; returns the exit code.

    With `demo_server` (an app.demo DemoServer already running), its endpoint, credentials and
    region are used unless given explicitly, and the listing cache is kept apart from real profiles.
    """
    from app.ui.app import SpacesApp

    cache_profile = None
    if demo_server is not None:
        endpoint_url = endpoint_url or demo_server.endpoint_url
        if credentials is None:
            c = demo_server.credentials
            credentials = (c.access_key, c.secret_key, c.token)
        regions = regions or [demo_server.region]
        cache_profile = "demo"
    app = SpacesApp(
        profile=profile,
        regions=regions,
        endpoint_url=endpoint_url,
        credentials=credentials,
        readonly=readonly,
        cache_profile=cache_profile,
        # The simulator's regions are not the user's: don't let a demo run rewrite their settings.
        use_settings=demo_server is None,
    )
    result = app.run()
    return int(result or 0)
