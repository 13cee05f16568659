"""The one sanitiser (app/safe_text.py) and the places text from an endpoint enters the model:
parse.py's model objects, AwsError messages, and the command line's table and error lines."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from sm_spaces.aws import parse
from sm_spaces.aws.errors import AwsError, translate
from sm_spaces.commands.common import describe_failure
from sm_spaces.commands.spaces import render_table, space_json
from sm_spaces.model import Domain
from sm_spaces.safe_text import safe_text

from tests.reliability_log import Counter

ESC = "\x1b"
# What a hostile endpoint would send: OSC 0 (title), OSC 52 (clipboard), OSC 8 (link), CSI (clear,
# cursor moves), 8-bit CSI/OSC (C1), BEL, a bidi override, a lone surrogate and a forged line.
HOSTILE = (
    f"Team{ESC}]0;OWNED{ESC}\\{ESC}]52;c;aGk={ESC}\\{ESC}]8;;http://x/{ESC}\\link{ESC}]8;;{ESC}\\"
    f"{ESC}[2J{ESC}[1;1H\x9b31m\x9d0;t\x07\u202egnp.exe\udc80\r\nforged  row\tx\x7f"
)


def terminal_safe(text: str) -> bool:
    """Nothing a terminal acts on: no C0 (not even LF or TAB), no DEL, no C1, no bidi control, and
    encodable as UTF-8 (a lone surrogate is not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in bidi for c in text)


def test_hostile_string_is_made_safe_and_stays_readable() -> None:
    shown = safe_text(HOSTILE)
    assert terminal_safe(shown)
    assert shown.startswith("Team\u241b]0;OWNED\u241b\\")  # ESC shown as its control picture
    assert "forged  row x" in shown  # CR, LF and TAB flattened to spaces, on one line
    assert "\ufffd31m" in shown and "\ufffdgnp.exe\ufffd" in shown  # C1, bidi and the surrogate
    assert shown.endswith("x\u2421")  # DEL


@pytest.mark.parametrize(
    "clean",
    ["my-space", "Équipe données", "数据科学", "👩‍💻 lab", "a\u00a0b", "x-[@click=app.quit]y[/]", ""],
)
def test_text_without_controls_is_unchanged(clean: str) -> None:
    # Rich markup is left as text: it is inert on a terminal, and the UI never parses it as markup.
    assert safe_text(clean) is clean or safe_text(clean) == clean


counted = Counter("hostile.sanitiser")


# Every code point, surrogates included, with the dangerous ones drawn more often than by chance.
any_char = st.characters(exclude_categories=()) | st.sampled_from(list("\x1b\x9b\x9d\x07\n\r\t\u202e\ud800"))


@given(st.text(alphabet=any_char, max_size=40))
def test_any_text_comes_out_safe_one_line_and_stable(text: str) -> None:
    counted()
    shown = safe_text(text)
    assert terminal_safe(shown)
    assert "\n" not in shown and len(shown) == len(text)  # one output character per input character
    assert safe_text(shown) == shown


def test_sanitiser_figures_recorded() -> None:
    # Runs after the property test in file order: records how many strings it tried.
    counted.done()
    assert counted.count > 0


def test_parse_sanitises_every_string_of_a_listing() -> None:
    dom = parse.domain({"DomainId": "d-abc", "DomainName": f"dom{ESC}]52;c;eA=={ESC}\\"}, "us-east-1")
    app = parse.app(
        {
            "DomainId": "d-abc",
            "SpaceName": "s1",
            "AppType": "JupyterLab",
            "Status": "InService",
            "ResourceSpec": {"InstanceType": f"ml.t3{ESC}[2J"},
        }
    )
    space = parse.space_summary(
        {
            "SpaceName": "s1",
            "Status": "InService",
            "SpaceDisplayName": HOSTILE,
            "OwnershipSettingsSummary": {"OwnerUserProfileName": f"owner\n{ESC}[31mroot"},
            "SpaceSettingsSummary": {"AppType": "JupyterLab", "RemoteAccess": "ENABLED"},
            "SpaceSharingSettingsSummary": {"SharingType": f"Private{ESC}]0;x\x07"},
        },
        dom,
        "123456789012",
        "aws",
        app,
    )
    profile = parse.user_profile({"DomainId": "d-abc", "UserProfileName": f"u{ESC}c"})
    texts = [dom.name, profile.name, space.display_name, space.owner, space.sharing, space.instance_type]
    assert all(isinstance(t, str) and terminal_safe(t) for t in texts)
    assert space.owner == "owner \u241b[31mroot"
    assert space.name == "s1" and space.domain_id == "d-abc"  # clean ids stay exact


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeSpace")


@pytest.mark.parametrize("code", ["ValidationException", "ResourceInUse", f"Weird{ESC}[2J\nCode"])
def test_error_messages_from_an_endpoint_are_sanitised(code: str) -> None:
    err = translate(_client_error(code, HOSTILE), operation="DescribeSpace")
    assert terminal_safe(err.message) and terminal_safe(str(err))
    assert "OWNED" in err.message  # still says what the endpoint said, visibly


def test_every_aws_error_is_one_safe_line() -> None:
    err = AwsError(f"space {HOSTILE} failed")
    assert terminal_safe(str(err))
    assert terminal_safe(describe_failure(RuntimeError(f"library quoting {HOSTILE}")))


def _space(name: str, owner: str) -> object:
    dom = Domain("d-abc", "dom", "us-east-1")
    return parse.space_summary(
        {
            "SpaceName": name,
            "Status": "InService",
            "OwnershipSettingsSummary": {"OwnerUserProfileName": owner},
        },
        dom,
        "123456789012",
        "aws",
        None,
    )


def test_a_name_with_newlines_cannot_forge_table_rows() -> None:
    forged = "evil\nd-abc  admin  prod  JupyterLab  Running"
    table = render_table([_space(forged, f"o\r{ESC}[1A"), _space("plain", "o")])  # type: ignore[list-item]
    lines = table.splitlines()
    assert len(lines) == 3  # the header and one line per space
    assert terminal_safe(table.replace("\n", ""))


def test_json_is_exact_json_of_the_model_and_safe_on_a_terminal() -> None:
    space = _space("s1", "o")
    hostile = parse.space_summary(
        {"SpaceName": "s2", "Status": "InService", "SpaceDisplayName": HOSTILE},
        Domain("d-abc", "dom", "us-east-1"),
        "123456789012",
        "aws",
        None,
    )
    text = json.dumps([space_json(s) for s in (space, hostile)], indent=2)  # type: ignore[arg-type]
    assert terminal_safe(text.replace("\n", ""))
    decoded = json.loads(text)
    assert decoded[1]["display_name"] == hostile.display_name  # exactly what the model holds
    assert decoded[0]["space_name"] == "s1"


def test_a_cache_holding_raw_text_is_sanitised_when_read() -> None:
    # A listing cache written before the sanitiser existed (or edited by hand) holds raw text.
    from datetime import UTC, datetime

    from sm_spaces import config
    from sm_spaces.model import Space

    raw = Space(
        "d-abc", "s1", "us-east-1", "123456789012", "InService", display_name=HOSTILE, owner=f"o{ESC}[2J"
    )
    config.save_cache("dev", "us-east-1", [raw], saved_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert b"\\u001b" in config.cache_path("dev", "us-east-1").read_bytes()  # stored raw, as given
    loaded = config.load_cache("dev", "us-east-1")
    assert loaded is not None
    (space,) = loaded[0]
    assert terminal_safe(space.display_name) and space.owner == "o\u241b[2J"
