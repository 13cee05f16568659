"""The TUI over several accounts (issue 16 item 1): the tree's top level is the account, an
account whose role may not use SageMaker says so on its branch without hiding the others, an
ended Identity Center login is one line naming `aws sso login`, and actions reach the account a
space is in, with that account's own keys."""

from __future__ import annotations

import pytest
from sm_spaces.ui.testing import (
    demo_app,
    demo_org_app,
    drawn_lines,
    highlight,
    said,
    settle,
    shown,
    wait_until,
)

SIZE = (140, 42)
RESEARCH = "234567890123"


def _top_lines(app) -> list[str]:
    return [line.strip() for line in drawn_lines(app) if line.startswith(("▼", "▶"))]


async def test_accounts_are_the_top_level_and_the_denied_one_says_so(demo):
    app = demo_org_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tops = _top_lines(app)
        assert [line.split()[1] for line in tops] == ["sandbox", "studio-prod", "vision-research"]
        assert "345678901234" in tops[0] and "⚠ access denied" in tops[0]
        assert "⚠" not in tops[1] + tops[2]
        names = shown(app)
        assert names["segmentation-v2"] == "Running"  # the research account's
        assert names["fraud-detection"] == "Running"  # the seeded account's
        assert "scratch" not in names  # the sandbox's space: its role may not list it
        assert "sandbox: access denied" in said(app)
        header = "".join(segment.text for segment in app.query_one("#context").render_line(1))
        assert "3 accounts (1 failing)" in header


async def test_an_ended_login_is_one_line_naming_aws_sso_login(demo):
    demo.org.expire_token()
    app = demo_org_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (
            "the SSO session for profile demo has expired or was never started: "
            "run `aws sso login --profile demo`"
        ) in said(app)
        assert shown(app) == {}


async def test_start_reaches_the_account_the_space_is_in(demo):
    app = demo_org_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "dataset-curation")
        assert app.space_tree.highlighted_space.account == RESEARCH
        await pilot.press("s")
        assert await wait_until(pilot, lambda: shown(app)["dataset-curation"] == "Running", rounds=1000)
    research = demo.org.accounts[RESEARCH].state
    space = research.domains["d-rsrchlab0x7q"].spaces_by_name["dataset-curation"]
    assert space.app is not None and research.settle_app(space.app).status == "InService"


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("p", "several accounts are shown side by side"),  # a profile would narrow what is shown
        ("S", "the ssh config block is one account's"),
    ],
)
async def test_one_account_keys_say_why_not_across_accounts(demo, key, why):
    app = demo_org_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        assert await wait_until(pilot, lambda: why in said(app))
        assert len(app.screen_stack) == 1  # no picker, no dialog


async def test_two_profiles_side_by_side(demo, tmp_path, monkeypatch):
    """--profile given twice: two profiles of the user's AWS config, each account under its
    profile's name and reached with that profile's own credentials (here static keys: the seeded
    account's, and a research role's taken from the portal as `aws configure export-credentials`
    would give them)."""
    from sm_spaces.ui.services import Many

    role = demo.org.role_credentials(demo.org.token, {"account_id": RESEARCH, "role_name": "DataScientist"})
    research = role["roleCredentials"]
    keys = demo.credentials
    config = tmp_path / "aws-config"
    config.write_text(
        f"[profile static]\naws_access_key_id = {keys.access_key}\n"
        f"aws_secret_access_key = {keys.secret_key}\nregion = us-east-1\n"
        f"[profile research]\naws_access_key_id = {research['accessKeyId']}\n"
        f"aws_secret_access_key = {research['secretAccessKey']}\n"
        f"aws_session_token = {research['sessionToken']}\nregion = us-east-1\n"
    )
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", demo.endpoint_url)
    many = Many(["static", "research"], False)
    app = demo_app(demo, credentials=None, cache_profile=None, many=many)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tops = _top_lines(app)
        assert [line.split()[1] for line in tops] == ["static", "research"]
        assert "123456789012" in tops[0] and RESEARCH in tops[1]
        names = shown(app)
        assert names["segmentation-v2"] == "Running" and names["fraud-detection"] == "Running"
