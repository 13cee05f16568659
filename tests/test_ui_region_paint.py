"""Issue 13 item 1: the cache paints for the region the AWS configuration names (no --region).

The region is read from the environment or the AWS config file without botocore
(app/aws/config_region.py); the live listing then confirms it with botocore.
"""

from __future__ import annotations

import os

import pytest
from sm_spaces import config
from sm_spaces.aws.config_region import configured_region
from sm_spaces.ui.testing import demo_app, settle, shown

SIZE = (150, 45)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    return tmp_path


def _aws_config(tmp_path, text: str) -> None:
    (tmp_path / "aws-config").write_text(text)


# --- the region, as botocore would find it --------------------------------------------------------


def test_env_region_wins_over_the_profile(isolated, monkeypatch):
    _aws_config(isolated, "[default]\nregion = eu-west-1\n")
    assert configured_region(None) == "eu-west-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert configured_region(None) == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert configured_region(None) == "ap-south-1"


def test_profile_sections_given_or_from_the_environment(isolated, monkeypatch):
    _aws_config(
        isolated,
        "[default]\nregion = eu-west-1\n[profile analyst]\nregion = us-west-2\n"
        "[sso-session corp]\nregion = ap-south-1\n[profile noregion]\noutput = json\n",
    )
    assert configured_region("analyst") == "us-west-2"
    assert configured_region("noregion") is None
    assert configured_region("missing") is None  # botocore reports it later, with its fix
    monkeypatch.setenv("AWS_PROFILE", "analyst")
    assert configured_region(None) == "us-west-2"
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "default")  # botocore reads this one first
    assert configured_region(None) == "eu-west-1"


def test_unreadable_config_is_no_region_never_a_hang_or_an_error(isolated):
    assert configured_region(None) is None  # no file
    _aws_config(isolated, "[default\nregion = eu-west-1\n")
    assert configured_region(None) is None  # broken: botocore's error comes with the listing
    (isolated / "aws-config").unlink()
    os.mkfifo(isolated / "aws-config")
    assert configured_region(None) is None  # a FIFO is not opened for reading


# --- the first frame ------------------------------------------------------------------------------


async def _cache_from_a_first_run(demo, **options) -> None:
    first = demo_app(demo, **options)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert config.load_cache(first.account.profile_key, demo.region, endpoint_url="demo")


@pytest.mark.parametrize("source", ["env", "profile"])
async def test_cache_paints_at_mount_for_the_configured_region(demo, isolated, monkeypatch, source):
    profile = None
    if source == "env":
        monkeypatch.setenv("AWS_REGION", demo.region)
    else:
        profile = "analyst"
        _aws_config(isolated, f"[default]\nregion = eu-west-1\n[profile analyst]\nregion = {demo.region}\n")
    await _cache_from_a_first_run(demo, profile=profile)
    demo.faults.expired = True  # the live listing fails: only the cache can show the spaces
    app = demo_app(demo, profile=profile, regions=None)
    async with app.run_test(size=SIZE) as pilot:
        # The cache was painted in on_mount, before any listing could land.
        assert app.regions == [demo.region] and app.listing.stale and app.listing.load_count == 0
        assert shown(app)["fraud-detection"] == "Running"
        await settle(pilot)
        assert app.listing.load_count >= 1 and app.regions == [demo.region]
        assert shown(app)["fraud-detection"] == "Running" and app.listing.stale


async def test_live_listing_confirms_the_configured_region(demo, isolated, monkeypatch):
    monkeypatch.setenv("AWS_REGION", demo.region)
    await _cache_from_a_first_run(demo)
    app = demo_app(demo, regions=None)
    async with app.run_test(size=SIZE) as pilot:
        assert app.listing.stale
        await settle(pilot)
        assert app.regions == [demo.region] and not app.listing.stale  # botocore agreed; listed live
        assert shown(app)["fraud-detection"] == "Running"
