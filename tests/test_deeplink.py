"""Studio deep links: strict validation of untrusted input, with fuzzing and per-field mutations."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sm_spaces.connect.deeplink import DeepLink, DeepLinkError, parse_deep_link
from sm_spaces.names import SpaceArn

BASE = "vscode://amazonwebservices.aws-toolkit-vscode/connect/sagemaker"
TOKEN = "SeCrEtToKeN0123456789abcdefABCDEF+/xyz=="
SESSION = "alice-0123456789abcdef0"
WS_URL = f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{SESSION}?role=publish_subscribe"
LOCAL = "ws://127.0.0.1:45123"

VALID: dict[str, str] = {
    "connection_identifier": "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/my-space",
    "domain": "d-abc123",
    "user_profile": "alice-1",
    "session": SESSION,
    "ws_url": WS_URL,
    "cell-number": "AAEAAQ0123==",
    "token": TOKEN,
    "app_type": "CodeEditor",
    "X-Amz-Date": "20250101T000000Z",
    "X-Amz-Signature": "abcdef0123456789",
}


def link(params: dict[str, str], *, encode: bool = True) -> str:
    parts = [f"{k}={quote(v, safe='') if encode else v}" for k, v in params.items()]
    return BASE + "?" + "&".join(parts)


def test_valid_link_decodes_every_field() -> None:
    parsed = parse_deep_link(link(VALID))
    assert parsed.space_arn == SpaceArn("aws", "us-east-1", "123456789012", "d-abc123", "my-space")
    assert (parsed.domain, parsed.user_profile, parsed.session_id) == ("d-abc123", "alice-1", SESSION)
    assert parsed.token == TOKEN
    assert parsed.app_type == "CodeEditor"
    assert parsed.stream_url == (
        WS_URL + "&cell-number=AAEAAQ0123%3D%3D&X-Amz-Date=20250101T000000Z&X-Amz-Signature=abcdef0123456789"
    )


def test_unencoded_link_as_studio_builds_it() -> None:
    """Studio puts ws_url in raw: its own `?role=…` sits inside the link's query."""
    params = {k: v for k, v in VALID.items() if not k.startswith(("X-Amz", "app_type"))}
    parsed = parse_deep_link(link(params, encode=False))
    assert parsed.stream_url == WS_URL + "&cell-number=AAEAAQ0123%3D%3D"
    assert parsed.app_type is None


def test_repr_and_str_hide_secrets() -> None:
    parsed = parse_deep_link(link(VALID))
    for text in (repr(parsed), str(parsed)):
        assert TOKEN not in text and "abcdef0123456789" not in text and "role=" not in text
        assert "my-space" in text


def test_china_partition_and_local_endpoint() -> None:
    cn = {
        **VALID,
        "connection_identifier": "arn:aws-cn:sagemaker:cn-north-1:123456789012:space/d-abc123/s",
        "ws_url": WS_URL.replace("us-east-1.amazonaws.com", "cn-north-1.amazonaws.com.cn"),
    }
    assert parse_deep_link(link(cn)).space_arn.partition == "aws-cn"
    local = {**VALID, "ws_url": f"{LOCAL}/v1/data-channel/{SESSION}?role=publish_subscribe"}
    assert parse_deep_link(link(local), allowed_local_endpoint=LOCAL).stream_url.startswith(LOCAL)
    assert parse_deep_link(
        link({**local, "ws_url": local["ws_url"].replace("127.0.0.1", "localhost")}),
        allowed_local_endpoint="ws://localhost:45123",
    )
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link(local))  # not allowed without the explicit endpoint
    assert caught.value.field == "ws_url"
    with pytest.raises(DeepLinkError):
        parse_deep_link(link(local), allowed_local_endpoint="ws://127.0.0.1:1")


# --- per-field invalid values: each must be refused, naming that field -------------------------

INVALID: dict[str, list[str]] = {
    "connection_identifier": [
        "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/x",
        "arn:aws:sagemaker:us-east-1:12345:space/d-abc123/x",
        "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/x\n",
        "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/-x",
        "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/x;id",
        "x",
    ],
    "domain": ["d-other1", "d-ABC123", "abc123", "d-abc123 ", "d-"],
    "user_profile": ["-alice", "alice_1", "a" * 64, "al ice", "alice\n", "ali'ce", "alice/.."],
    "session": ["-sess", "s" * 161, "sess/../x", "sess;id", "sess id", "sess\x00"],
    "ws_url": [
        "ws://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION + "?role=x",
        "wss://ssmmessages.us-west-2.amazonaws.com/v1/data-channel/" + SESSION + "?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com.evil.com/v1/data-channel/" + SESSION + "?role=x",
        "wss://evil.com/v1/data-channel/" + SESSION + "?role=x",
        "wss://user:pw@ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION + "?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com:8443/v1/data-channel/" + SESSION + "?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/other?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION,
        "wss://ssmmessages.us-east-1.amazonaws.com.cn/v1/data-channel/" + SESSION + "?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION + "?role=x#frag",
        "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION + "?role=<x>",
        "ws://127.0.0.1:45123/v1/data-channel/x?role=x",
        "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/" + SESSION + "?role=x\n",
        "wss://ssmmessages.us-east-1.amazonaws.com:99999/v1/data-channel/" + SESSION + "?role=x",
        "javascript:alert(1)",
    ],
    "cell-number": ["12 3", "1;2", "x" * 1025, "é"],
    "token": ["short", "a" * 8193, "tok en" + "a" * 20, "tok'en" + "a" * 20, "tok\nen" + "a" * 20],
    "app_type": ["VSCode", "jupyterlab", "JupyterLab "],
    "X-Amz-Date": ["2025 01", "a&b", "<x>"],
}


@pytest.mark.parametrize(("name", "bad"), [(n, v) for n, values in INVALID.items() for v in values])
def test_invalid_field_is_refused_and_named(name: str, bad: str) -> None:
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link({**VALID, name: bad}))
    assert caught.value.field == name
    assert name in str(caught.value)
    assert TOKEN not in str(caught.value)
    if name == "token":
        assert bad not in str(caught.value)


@pytest.mark.parametrize(
    "name", ["connection_identifier", "domain", "user_profile", "session", "ws_url", "cell-number", "token"]
)
def test_missing_or_empty_required_field(name: str) -> None:
    without = {k: v for k, v in VALID.items() if k != name}
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link(without))
    assert caught.value.field == name and "missing" in caught.value.reason
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link({**VALID, name: ""}))
    assert caught.value.field == name


@pytest.mark.parametrize(
    ("uri", "field"),
    [
        (link(VALID).replace("vscode://", "https://"), "uri"),
        (link(VALID).replace("aws-toolkit-vscode", "aws-toolkit-vscodx"), "uri"),
        (link(VALID).replace("/connect/sagemaker", "/connect/sagemaker/"), "uri"),
        (link(VALID).replace("?", "#", 1), "uri"),
        (link(VALID) + "#x", "uri"),
        (link(VALID) + " ", "uri"),
        (link(VALID) + "&token=" + TOKEN, "token"),
        (link(VALID) + "&domain=d-abc123", "domain"),
        (link(VALID) + "&X-Amz-Date=1", "X-Amz-Date"),
        (link(VALID) + "&token", "token"),  # a name we use, without a value
        (link(VALID) + "&%74oken=" + TOKEN, "token"),  # `token` again, under an encoding
        (link(VALID) + "&X-Amz-New=%0A", "X-Amz-New"),  # X-Amz-* reach the stream URL: checked
        (link({**VALID, "user_profile": "%FF"}, encode=False), "user_profile"),
        (link({**VALID, "session": "%0Asess"}, encode=False), "session"),
        (BASE + "?" + "a" * 40_000, "uri"),
    ],
)
def test_malformed_links(uri: str, field: str) -> None:
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(uri)
    assert caught.value.field == field
    assert TOKEN not in str(caught.value)


def test_unknown_parameters_are_ignored_named_and_passed_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    """Studio adds parameters over time and the Toolkit ignores those it does not know: so do we.
    Their values are never read (hostile ones included); their names reach a debug line only."""
    hostile = "%0A%1B%5B2J;rm%20-rf%20~%26token=x"  # a newline, an escape, a command, an `&token`
    extra = f"&studio_feature=1&newParam={hostile}&flag&&%41=1&%FF%FE=2&{'n' * 80}=3"
    with caplog.at_level("DEBUG", logger="sm_spaces.connect.deeplink"):
        parsed = parse_deep_link(link(VALID) + extra)
    plain = parse_deep_link(link(VALID))
    assert (parsed.stream_url, parsed.token, parsed.session_id) == (
        plain.stream_url,
        plain.token,
        plain.session_id,
    )
    assert parsed.ignored == (
        "studio_feature",
        "newParam",
        "flag",
        "A",
        "(an unusual name)",
        "(an unusual name)",
    )
    logged = caplog.text
    assert "ignoring parameters this version does not use: studio_feature, newParam, flag, A" in logged
    for secret in ("rm", "\x1b", "%0A", "token=x", TOKEN):
        assert secret not in logged and secret not in repr(parsed)


def test_an_ignored_parameter_cannot_stand_in_for_one_we_use() -> None:
    """The names we use are compared decoded and must each come once: an unknown parameter is no
    way around their checks."""
    without_token = {k: v for k, v in VALID.items() if k != "token"}
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link(without_token) + "&Token=" + TOKEN)  # names are case-sensitive
    assert caught.value.field == "token" and "missing" in caught.value.reason
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link({**VALID, "session": "-rf"}) + "&session_note=ok")
    assert caught.value.field == "session"


def test_non_string_input() -> None:
    with pytest.raises(DeepLinkError):
        parse_deep_link(b"vscode://x")  # type: ignore[arg-type]


# --- fuzzing ----------------------------------------------------------------------------------

_ALPHABET = string.printable + "é\x00%&=?#/"


def _mutate(uri: str, rng: random.Random) -> str:
    chars = list(uri)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(pos, rng.choice(_ALPHABET))
        else:
            chars[pos:pos] = list(rng.choice(["&", "=", "%", "%2", "%ZZ", "&token=x", "&a=b", "?", "#"]))
    return "".join(chars)


def _check_no_crash(uri: str) -> DeepLink | None:
    try:
        parsed = parse_deep_link(uri)
    except DeepLinkError as error:
        assert TOKEN not in str(error)
        return None
    # Anything accepted still satisfies every invariant.
    assert parsed.domain == parsed.space_arn.domain_id
    assert parsed.stream_url.isascii() and parsed.stream_url.isprintable() and " " not in parsed.stream_url
    assert parsed.token.isascii() and parsed.token.isprintable() and "&" not in parsed.token
    assert parsed.stream_url.startswith("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/")
    return parsed


@settings(max_examples=300)
@given(st.integers(0, 2**32))
def test_mutated_links_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    _check_no_crash(_mutate(link(VALID, encode=rng.random() < 0.5), rng))


@settings(max_examples=300)
@given(st.text(max_size=300), st.booleans())
def test_arbitrary_text_never_crashes(text: str, prefixed: bool) -> None:
    _check_no_crash((BASE + "?" if prefixed else "") + text)


@settings(max_examples=300)
@given(st.sampled_from(sorted(INVALID)), st.text(min_size=1, max_size=40))
def test_generated_value_is_accepted_only_if_valid(name: str, value: str) -> None:
    """Replace one field by arbitrary text: either refused naming that field, or accepted with the
    value intact and matching that field's rule."""
    try:
        parsed = parse_deep_link(link({**VALID, name: value}))
    except DeepLinkError as error:
        # A valid value may still contradict another field (the ARN's domain, the URL's session).
        related = {"session": {"ws_url"}, "connection_identifier": {"domain", "ws_url"}}
        assert error.field in {name, "uri"} | related.get(name, set())
        return
    decoded = (
        str(parsed.space_arn),
        parsed.domain,
        parsed.user_profile,
        parsed.session_id,
        parsed.token,
        parsed.app_type,
    )
    assert value in decoded or name in ("ws_url", "cell-number") or name.startswith("X-Amz")
    if name in ("ws_url", "cell-number") or name.startswith("X-Amz"):
        assert quote(value, safe="") in parsed.stream_url or value in parsed.stream_url


@pytest.mark.fuzz
def test_mutation_fuzz_many() -> None:
    rng = random.Random()
    for _ in range(200_000):
        _check_no_crash(_mutate(link(VALID, encode=rng.random() < 0.5), rng))


_FORBIDDEN = list(" '\"`;<>|\\\n\r\t\x00é!*(){}[]$") + ["%", "&"]


def _check_corrupted_field_refused(name: str, char: str, where: float) -> None:
    valid = VALID[name]
    pos = int(where * len(valid))
    bad = valid[:pos] + char + valid[pos:]
    if name == "ws_url" and (bad.startswith(WS_URL.split("?", maxsplit=1)[0] + "?") and char in "%&"):
        return  # '%'/'&' may legitimately appear inside the URL's own query
    with pytest.raises(DeepLinkError) as caught:
        parse_deep_link(link({**VALID, name: bad}))
    assert caught.value.field == name
    assert TOKEN not in str(caught.value)


@settings(max_examples=400)
@given(st.sampled_from(sorted(VALID)), st.sampled_from(_FORBIDDEN), st.floats(0, 1))
def test_forbidden_character_in_any_field_is_refused(name: str, char: str, where: float) -> None:
    _check_corrupted_field_refused(name, char, where)


@pytest.mark.fuzz
@settings(max_examples=20_000)
@given(st.sampled_from(sorted(VALID)), st.sampled_from(_FORBIDDEN), st.floats(0, 1))
def test_forbidden_character_fuzz(name: str, char: str, where: float) -> None:
    _check_corrupted_field_refused(name, char, where)
