"""A switch that makes the simulated account a hostile endpoint: `demo serve --hostile`, and tests.

Real SageMaker refuses most of this through its name patterns, but it accepts ESC in a
SpaceDisplayName (pattern `(?!\\s*$).+`), and an endpoint given with --endpoint-url can answer
anything at all. So `install` adds one domain whose names, display names, owners, domain name and
instance types carry terminal escapes (OSC 0 title, OSC 52 clipboard, OSC 8 link, CSI clear and
title report, their 8-bit C1 forms), a bidi override, line breaks that would forge table rows, and
Rich markup; and every call about the space `error-space` fails with an error message made of the
same. Tests then check that none of it reaches a terminal raw (tests/test_hostile_data.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .account import DemoAccount
from .faults import ApiError

ESC = "\x1b"
PAYLOADS = {
    "title": f"{ESC}]0;PWNED-TITLE\x07",  # OSC 0: retitle the terminal
    "clipboard": f"{ESC}]52;c;UFdORUQ={ESC}\\",  # OSC 52: write the clipboard
    "link": f"{ESC}]8;;http://pwned.example/{ESC}\\link{ESC}]8;;{ESC}\\",  # OSC 8: a hidden link
    "clear": f"{ESC}[2J{ESC}[3J{ESC}[H",  # CSI: clear the screen and the scrollback
    "report": f"{ESC}[21t",  # CSI: make the terminal type its title back as input
    "c1": "\x9b6n\x9d2;PWNED-C1\x9c",  # 8-bit CSI and OSC
    "bidi": "\u202egnp.exe",  # shown reversed
    "markup": "[bold red]MARKUP[/][@click=app.quit]click[/]",  # Rich/Textual markup
    "newline": "\nFORGED-ROW  d-forged  Running",  # a second table row
}
EVERYTHING = "".join(PAYLOADS.values())
# Byte sequences that would show one of the payloads reached a terminal raw (UTF-8 for the
# non-ASCII ones). A TUI legitimately writes other escapes; none of these.
FORBIDDEN = (
    b"\x1b]0;PWNED",
    b"\x1b]52;",
    b"\x1b]8;;http://pwned",
    b"\x1b[21t",
    b"\x1b[3J",
    b"\xc2\x9b",
    b"\xc2\x9d",
    b"\xe2\x80\xae",
)

DOMAIN_ID = "d-h0stile0dom"
ERROR_SPACE = "error-space"
OWNER = f"mallory{PAYLOADS['clear']}{PAYLOADS['markup']}"
SPACES = {
    # space name: (display name, instance type, running?)
    "hostile-display": (EVERYTHING, f"ml.t3.large{PAYLOADS['title']}", True),
    f"esc{ESC}[31m-name{PAYLOADS['c1']}": ("escape in the name", "ml.t3.large", False),
    f"nl{PAYLOADS['newline']}": ("a line break in the name", "ml.t3.large", False),
    "x-[@click=app.quit]y[/]": (PAYLOADS["markup"], "ml.t3.large", False),
    ERROR_SPACE: (f"errors{PAYLOADS['link']}", "ml.t3.large", True),
}


@dataclass
class HostileData:
    """Installed in a DemoServer (`server.hostile`): fails every call about ERROR_SPACE."""

    calls_refused: int = 0

    def check(self, op: str, params: dict[str, Any]) -> None:
        named = (params.get("SpaceName"), params.get("SpaceNameEquals"))
        arn = params.get("ResourceIdentifier")  # StartSession names the space by its ARN
        if ERROR_SPACE in named or (isinstance(arn, str) and arn.endswith(f"/{ERROR_SPACE}")):
            self.calls_refused += 1
            raise ApiError("ValidationException", f"{op} refused: {EVERYTHING}")


def install(account: DemoAccount, region: str = "us-east-1") -> HostileData:
    """Add the hostile domain to `account`; the returned object goes in `DemoServer.hostile`."""
    domain = account.add_domain(DOMAIN_ID, f"evil{PAYLOADS['title']}{PAYLOADS['newline']}", region)
    account.add_profile(domain, OWNER)
    for name, (display, instance, running) in SPACES.items():
        space = account.add_space(
            domain, name, app_type="JupyterLab", owner=OWNER, instance_type=instance, display_name=display
        )
        if running:
            account.put_app(space, status="InService")
    return HostileData()
