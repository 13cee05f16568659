"""Doctor checks of the ssh config: our block present and current, `ssh -G` happy with it, and no
user-written Host line claiming our names.

A missing block only warns: `sm-spaces connect` works without one, and on the simulated account the
user's own ~/.ssh/config is none of our business, so there these checks never fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..file_checks import FileRefused, read_regular
from ..model import REMOTE_USER
from .doctor import Check, DoctorContext, Status
from .ssh_block import BlockContext, compare, expected_block, installed_block
from .ssh_config import SshConfigError, block_aliases, find_conflicts
from .ssh_config_parse import ALIAS_NAMESPACE

INSTALL_FIX = "sm-spaces ssh-config install"
PROBE_NAME = "sm-doctor-probe"  # matched by the sm-* pattern, as a space created later would be


def check_ssh_config(ctx: DoctorContext) -> list[Check]:
    path = ctx.config_path
    try:
        data = read_regular(path)  # a FIFO or a device is refused, never waited on
    except FileNotFoundError:
        data = b""
    except FileRefused as err:
        return [Check("ssh config", Status.FAIL, str(err), f"replace {path} with a regular file")]
    except OSError as err:
        return [
            Check(
                "ssh config",
                Status.FAIL,
                f"cannot read {path}: {err.strerror or err}",
                f"fix the permissions of {path}",
            )
        ]
    try:
        block = installed_block(data)
    except SshConfigError as err:
        return [Check("ssh config block", Status.FAIL, str(err))]
    if block is None:
        status = Status.SKIP if ctx.demo else Status.WARN
        checks = [
            Check(
                "ssh config block",
                status,
                f"not installed in {path} (needed for `ssh sm-<space>`)",
                None if ctx.demo else INSTALL_FIX,
            )
        ]
        return checks + [_conflicts(ctx, data, None)]
    return [_block_status(ctx, block), _ssh_g(ctx, block), _conflicts(ctx, data, block)]


def _block_status(ctx: DoctorContext, block: str) -> Check:
    name = "ssh config block"
    baked = BlockContext.of_block(block)
    ours = BlockContext(ctx.profile, ctx.svc.region, ctx.endpoint_url)
    if ctx.demo or baked != ours:
        return Check(
            name,
            Status.SKIP,
            f"installed for {baked.describe()}, not compared with this context "
            f"({ours.describe() if not ctx.demo else 'the simulated account'})",
        )
    if ctx.spaces is None:
        return Check(name, Status.SKIP, "installed; not compared: the spaces could not be listed")
    status = compare(block, expected_block(ctx.spaces, ours))
    if status.current:
        return Check(name, Status.OK, status.describe())
    return Check(name, Status.WARN, status.describe(), INSTALL_FIX)


def _ssh_g(ctx: DoctorContext, block: str) -> Check:
    aliases = block_aliases(block)
    ssh = shutil.which("ssh")
    name = "ssh -G"
    if not ssh:
        return Check(name, Status.SKIP, "untested: no ssh client")
    for host in aliases[:1] + [PROBE_NAME]:
        problem = _resolve_with_ssh(ssh, ctx, host)
        if problem and (home := _passwd_home_elsewhere(ctx)):
            # Not the block's fault: ssh reads another file than the one holding it.
            return Check(
                name,
                Status.FAIL,
                f"{host}: ssh reads {home}/.ssh/config, not {ctx.config_path}: OpenSSH takes the home "
                f"directory from your passwd entry ({home}), not from $HOME ({os.environ.get('HOME')})",
                f"install the block where ssh reads it (HOME={home} {INSTALL_FIX}), "
                f"or give ssh the file: ssh -F {ctx.config_path}",
            )
        if problem:
            return Check(
                name,
                Status.FAIL,
                f"{host}: {problem}",
                f"look at {ctx.config_path}; `{INSTALL_FIX}` rewrites the block",
            )
    shown = f"{aliases[0]} and {ALIAS_NAMESPACE}" if aliases else ALIAS_NAMESPACE
    return Check(name, Status.OK, f"{shown} resolve to sm-spaces ssh-proxy as {REMOTE_USER}")


def _passwd_home_elsewhere(ctx: DoctorContext) -> str | None:
    """The home directory OpenSSH uses for ~/.ssh/config (the passwd entry's, whatever $HOME says),
    when it is not the one the checked config file lives in; else None."""
    if ctx.explicit_config:  # ssh -G was given that very file with -F
        return None
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):  # no passwd database (Windows), or no entry for this uid
        return None
    env_home = os.environ.get("HOME")
    if not env_home or not home or os.path.realpath(env_home) == os.path.realpath(home):
        return None
    under_env_home = Path(os.path.realpath(ctx.config_path)).is_relative_to(os.path.realpath(env_home))
    return home if under_env_home else None


def _resolve_with_ssh(ssh: str, ctx: DoctorContext, host: str) -> str | None:
    """Why ssh would not route `host` through our ProxyCommand, or None when it would."""
    argv = [ssh, "-G"] + (["-F", str(ctx.config_path)] if ctx.explicit_config else []) + [host]
    try:
        done = subprocess.run(argv, check=False, capture_output=True, stdin=subprocess.DEVNULL, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"ssh -G did not finish ({err})"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"ssh rejects the config: {lines[-1] if lines else 'exit ' + str(done.returncode)}"
    options: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(" ")
        options.setdefault(key, value)
    if "ssh-proxy" not in options.get("proxycommand", ""):
        return f"its ProxyCommand is {options.get('proxycommand', 'none')[:80]!r}, not sm-spaces ssh-proxy"
    if options.get("user") != REMOTE_USER:
        return f"its User is {options.get('user')!r}, not {REMOTE_USER}"
    return None


def _conflicts(ctx: DoctorContext, data: bytes, block: str | None) -> Check:
    name = "Host conflicts"
    aliases = block_aliases(block) if block else [s.alias for s in ctx.spaces or []]
    try:
        found = find_conflicts(data, aliases)
    except SshConfigError as err:
        return Check(name, Status.FAIL, str(err))
    if not found:
        return Check(name, Status.OK, f"no user Host line claims {ALIAS_NAMESPACE} names")
    summary = "; ".join(found[:3]) + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")
    # With our block installed a claiming Host adds options to our hosts; without it, it blocks install.
    status = Status.FAIL if block and not ctx.demo else Status.WARN
    return Check(name, status, summary, f"rename or remove those Host lines in {ctx.config_path}")
