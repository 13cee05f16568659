"""Doctor checks of this machine: the ssh client, the optional Session Manager plugin, DNS for the
endpoints, and proxy settings (shown with any credentials masked)."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
import urllib.request
from urllib.parse import urlsplit

from .doctor import Check, Status

DNS_TIMEOUT_S = 3.0
_PROXY_VARS = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


def check_ssh() -> Check:
    path = shutil.which("ssh")
    if not path:
        return Check(
            "ssh",
            Status.FAIL,
            "no ssh client on PATH",
            "install OpenSSH (e.g. `apt install openssh-client`, `dnf install openssh-clients`)",
        )
    try:
        done = subprocess.run(
            [path, "-V"], check=False, capture_output=True, stdin=subprocess.DEVNULL, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("ssh", Status.FAIL, f"{path} does not run ({err})", "reinstall the OpenSSH client")
    text = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
    version = text.split(",")[0].split()[0] if text else "unknown version"
    if done.returncode != 0 or not version.startswith("OpenSSH"):
        return Check(
            "ssh",
            Status.WARN,
            f"{path} is not OpenSSH ({version[:60]})",
            "ssh-config and VS Code need the OpenSSH client",
        )
    return Check("ssh", Status.OK, f"{version} ({path})")


def check_plugin() -> Check:
    path = shutil.which("session-manager-plugin")
    if not path:
        return Check(
            "session-manager-plugin",
            Status.SKIP,
            "not installed (optional: sm-spaces speaks the SSM data channel itself)",
        )
    try:
        done = subprocess.run(
            [path, "--version"], check=False, capture_output=True, stdin=subprocess.DEVNULL, timeout=10
        )
        version = done.stdout.decode("utf-8", "replace").strip().splitlines()[0][:40]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        version = "version unknown"
    return Check("session-manager-plugin", Status.OK, f"{version} ({path}); used by --with plugin")


# --- DNS ----------------------------------------------------------------------------------------


def aws_hosts(region: str, partition: str = "aws") -> dict[str, str]:
    """Check name -> host name of the AWS endpoints a connection needs."""
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return {
        f"DNS {service}": f"{prefix}.{region}.{suffix}"
        for service, prefix in (
            ("sagemaker", "api.sagemaker"),
            ("ssm", "ssm"),
            ("ssmmessages", "ssmmessages"),
        )
    }


async def check_dns(region: str, endpoint_url: str | None, partition: str = "aws") -> list[Check]:
    if endpoint_url:
        host = urlsplit(endpoint_url).hostname or endpoint_url
        skipped = [
            Check(name, Status.SKIP, f"{aws_host}: not used, an endpoint URL is configured")
            for name, aws_host in aws_hosts(region, partition).items()
        ]
        return [await _resolve_check("DNS endpoint", host)] + skipped
    hosts = aws_hosts(region, partition)
    return list(await asyncio.gather(*(_resolve_check(name, host) for name, host in hosts.items())))


async def _resolve_check(name: str, host: str) -> Check:
    answer = await resolve(host, DNS_TIMEOUT_S)
    if isinstance(answer, list):
        shown = ", ".join(answer[:2]) + (" …" if len(answer) > 2 else "")
        return Check(name, Status.OK, f"{host} resolves to {shown}")
    return Check(
        name,
        Status.FAIL,
        f"{host} does not resolve ({answer})",
        "check the network, DNS, VPN or VPC endpoints; nothing can connect without it",
    )


async def resolve(host: str, timeout: float) -> list[str] | str:
    """Addresses of `host`, or why not. getaddrinfo cannot be cancelled, so it runs on a daemon
    thread that is abandoned after `timeout` instead of holding up the program's exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[str] | str] = loop.create_future()

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
            result: list[str] | str = sorted({str(info[4][0]) for info in infos})
        except (OSError, UnicodeError) as err:
            result = getattr(err, "strerror", None) or str(err) or type(err).__name__

        def deliver() -> None:
            if not future.done():  # wait_for may have given up on it already
                future.set_result(result)

        loop.call_soon_threadsafe(deliver)

    threading.Thread(target=lookup, name=f"dns-{host}", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        return f"no answer within {timeout:g} s"


# --- proxies ------------------------------------------------------------------------------------

_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?[^/@\s]*@")


def mask_proxy(value: str) -> str:
    """A proxy URL with any user name and password replaced by ***."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme') or ''}***@", value.strip(), count=1)


def check_proxies(endpoint_url: str | None, environ: dict[str, str] | None = None) -> Check:
    import os

    env = dict(os.environ if environ is None else environ)
    shown = [f"{name}={mask_proxy(env[name])}" for name in _PROXY_VARS if env.get(name)]
    if not shown:
        return Check("proxy", Status.SKIP, "none set (direct connections)")
    detail = "; ".join(shown)
    host = urlsplit(endpoint_url).hostname if endpoint_url else None
    if host and _is_loopback(host) and _proxied(host, env):
        return Check(
            "proxy", Status.WARN, f"{detail} — {host} would go through the proxy", f"add {host} to NO_PROXY"
        )
    return Check("proxy", Status.OK, detail)


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _proxied(host: str, env: dict[str, str]) -> bool:
    lowered = {k.lower(): v for k, v in env.items() if k.lower().endswith("_proxy") and v}
    if not any(k in lowered for k in ("http_proxy", "https_proxy", "all_proxy")):
        return False
    no_proxy = lowered.get("no_proxy", "")
    # proxy_bypass_environment is urllib.request's NO_PROXY matcher on every platform (proxy_bypass
    # is it on Linux only); typeshed leaves this undocumented helper out, hence the ignore.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return not bypass(host, {"no": no_proxy} if no_proxy else {})
