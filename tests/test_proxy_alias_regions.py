"""ssh-proxy's alias lookup (the ssh block's `Host sm-*` catch-all names one region): a space in
another region the user looks at is found there too; real listings against the simulated account."""

from __future__ import annotations

import pytest
from sm_spaces.aws.errors import AwsError
from sm_spaces.config import Settings, save_settings
from sm_spaces.connect.proxy import resolve_target

from tests.demo_service import demo_service


async def test_an_alias_in_another_of_the_users_regions_is_found(demo) -> None:
    save_settings(Settings(regions=["us-east-1", "eu-west-1"]))
    async with demo_service(demo) as svc:
        arn = await resolve_target(svc, "sm-gdpr-reports")
    assert arn.startswith("arn:aws:sagemaker:eu-west-1:") and arn.endswith("/gdpr-reports")


async def test_without_that_region_in_the_settings_the_miss_names_where_it_looked(demo) -> None:
    async with demo_service(demo) as svc:
        with pytest.raises(AwsError) as missing:
            await resolve_target(svc, "sm-gdpr-reports")
        assert await resolve_target(svc, "sm-fraud-detection") == next(
            s.arn for s in (await svc.list_all()).spaces if s.name == "fraud-detection"
        )
    assert missing.value.kind == "not_found"
    assert "'sm-gdpr-reports' in us-east-1;" in str(missing.value)


async def test_a_broken_settings_file_only_means_no_other_regions(demo, own_dirs) -> None:
    own_dirs.config.mkdir()
    broken = own_dirs.config / "config.toml"
    broken.write_text("regions = [not toml\n")
    async with demo_service(demo) as svc:
        with pytest.raises(AwsError) as missing:
            await resolve_target(svc, "sm-gdpr-reports")
    assert missing.value.kind == "not_found"
    assert broken.read_text() == "regions = [not toml\n"  # left byte-identical
