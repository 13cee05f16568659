"""`ssm-spaces ssh-proxy TARGET`: the OpenSSH ProxyCommand.

ssh runs this with the space's SSH stream expected on stdin/stdout. Credentials are resolved afresh
through the botocore chain on every connect, so an hour-old session never goes stale the way a
snapshot of credentials on disk does; one StartSession call through the aiobotocore client, as every
other call; then bytes are bridged until either side ends. Anything that goes wrong is one line on
stderr, which ssh shows to the user.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import TYPE_CHECKING

from ..aws.errors import AwsError
from ..names import SpaceArn, is_space_arn

if TYPE_CHECKING:
    from ..aws.service import SpacesService

PLUGIN = "session-manager-plugin"
# The official plugin reads the StartSession answer from the environment variable named by its
# first argument, so the token never appears on its command line.
PLUGIN_ENV = "AWS_SSM_START_SESSION_RESPONSE"


async def resolve_target(svc: SpacesService, target: str) -> str:
    """The space ARN for TARGET: an ARN as is, else an ssh alias looked up in the listing."""
    if is_space_arn(target):
        return target
    if not target.startswith("sm-"):
        raise AwsError(
            f"{target!r} is neither a space ARN nor an sm-spaces alias (sm-<space>)", kind="validation"
        )
    found = await _alias_in(svc, target)
    if found:
        return found
    # The ssh block's `Host sm-*` catch-all names one region; a space created since the block was
    # written may live in another of the regions the user looks at (settings.regions).
    others = [r for r in _settings_regions() if r != svc.region]
    for region in others:
        async with svc.in_region(region) as elsewhere:  # the same session: credentials resolved once
            found = await _alias_in(elsewhere, target)
        if found:
            return found
    where = ", ".join([svc.region, *others])
    raise AwsError(f"no space has the alias {target!r} in {where}; see `sm-spaces list`", kind="not_found")


async def _alias_in(svc: SpacesService, alias: str) -> str | None:
    return next((space.arn for space in (await svc.list_all()).spaces if space.alias == alias), None)


def _settings_regions() -> list[str]:
    from ..config import load_settings

    settings, _problem = load_settings()  # a broken file means no extra regions, not a failed connect
    return list(settings.regions)


async def run_proxy(svc: SpacesService, target: str) -> int:
    from .session import bridge_stdio, notice_on_stderr, resume_call

    arn = await resolve_target(svc, target)
    session = await svc.start_session(arn, on_wait=notice_on_stderr)
    return await bridge_stdio(session, resume_call(svc, session.session_id))


async def run_plugin_proxy(svc: SpacesService, target: str) -> int:
    """Hand the session to the official session-manager-plugin (stdin/stdout mode)."""
    plugin = shutil.which(PLUGIN)
    if plugin is None:
        raise AwsError(
            f"{PLUGIN} is not on PATH; install it (https://docs.aws.amazon.com/systems-manager/latest/"
            "userguide/session-manager-working-with-install-plugin.html) or connect without --with plugin",
            kind="validation",
        )
    from .session import notice_on_stderr

    arn = await resolve_target(svc, target)
    session = await svc.start_session(arn, on_wait=notice_on_stderr)
    region = SpaceArn.parse(arn).region
    env = dict(os.environ)
    env[PLUGIN_ENV] = json.dumps(
        {"SessionId": session.session_id, "StreamUrl": session.stream_url, "TokenValue": session.token}
    )
    argv = [
        plugin,
        PLUGIN_ENV,
        region,
        "StartSession",
        svc.profile or "",
        json.dumps({"Target": arn}),
        f"https://ssm.{region}.amazonaws.com",
    ]
    # The plugin owns stdin/stdout from here on; when ssh ends us (SIGHUP), it ends too.
    from .children import run_in_foreground

    return await run_in_foreground(argv, env, end_with_parent=True)
