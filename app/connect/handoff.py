"""Hand a space's SSH session to the system `ssh`, or run it in-process with asyncssh.

With the system ssh, our `ssh-proxy` goes on ssh's command line as ProxyCommand with the space ARN
baked in, so no ssh config edit is needed. Credentials never go on that command line: the proxy
resolves them itself (profile, SSO cache, environment).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from ..aws.errors import AwsError
from ..model import REMOTE_USER
from .ssh_block import self_command
from .ssh_config import SERVER_ALIVE_COUNT_MAX, SERVER_ALIVE_INTERVAL_S, _proxy_word

# Host keys are not pinned, for the reasons given in app/connect/ssh_config.py: AWS authenticates
# the channel and a restarted space may come back with new keys.
SSH_OPTIONS = (
    f"User={REMOTE_USER}",
    f"UserKnownHostsFile={os.devnull}",
    f"GlobalKnownHostsFile={os.devnull}",
    "StrictHostKeyChecking=no",
    "LogLevel=ERROR",
    f"ServerAliveInterval={SERVER_ALIVE_INTERVAL_S}",  # a dead link noticed: see ssh_config.py
    f"ServerAliveCountMax={SERVER_ALIVE_COUNT_MAX}",
)


@dataclass(frozen=True)
class AwsTarget:
    """Which AWS context a child `ssh-proxy` must use (credentials excluded)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    def options(self) -> list[str]:
        opts: list[str] = []
        if self.profile:
            opts += ["--profile", self.profile]
        if self.region:
            opts += ["--region", self.region]
        if self.endpoint_url:
            opts += ["--endpoint-url", self.endpoint_url]
        return opts


def proxy_command(target: AwsTarget, arn: str, *, plugin: bool = False) -> str:
    """The ProxyCommand string: shell words quoted, ssh's % tokens escaped."""
    words = [*self_command(), *target.options(), "ssh-proxy", *(["--plugin"] if plugin else []), arn]
    return " ".join(_proxy_word(word) for word in words)


def system_ssh_argv(
    alias: str,
    arn: str,
    target: AwsTarget,
    command: list[str],
    *,
    plugin: bool = False,
    extra: list[str] | None = None,
) -> list[str]:
    ssh = shutil.which("ssh")
    if ssh is None:
        raise AwsError(
            "ssh is not installed; install OpenSSH (e.g. `apt install openssh-client`) "
            "or connect with --with asyncssh",
            kind="validation",
        )
    argv = [ssh, "-o", f"ProxyCommand={proxy_command(target, arn, plugin=plugin)}"]
    for option in SSH_OPTIONS:
        argv += ["-o", option]
    argv += [*(extra or []), "--", alias, *command]
    return argv
