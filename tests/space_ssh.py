"""The OpenSSH options with which tests reach the simulated space, in one place.

    subprocess.run(["ssh", *ssh_options(proxy_to(ARN)), "space", "true"], env=env)

`-F /dev/null` keeps the user's ssh config out; the space's user is sagemaker-user; host keys are
neither checked nor kept (AWS authenticates the channel, as in the config block we write);
errors only, and no prompt that could hang a test.
"""

from __future__ import annotations

import sys

SM = [sys.executable, "-m", "sm_spaces"]


def proxy_to(target: str, *options: str) -> str:
    """Our ProxyCommand for `target` (a space ARN, or ssh's %n), with global `options` (--debug)."""
    return " ".join([*SM, *options, "ssh-proxy", target])


def ssh_options(proxy: str) -> list[str]:
    """ssh, scp and sftp options reaching the simulated space through the ProxyCommand `proxy`."""
    return [
        "-F",
        "/dev/null",
        "-o",
        f"ProxyCommand={proxy}",
        "-o",
        "User=sagemaker-user",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
    ]
