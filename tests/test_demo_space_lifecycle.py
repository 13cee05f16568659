"""CreateSpace and DeleteSpace in the simulator, as botocore's model has them (errors each operation
lists; Pending -> InService; Deleting -> gone), seen by a plain aiobotocore client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer
from sm_spaces.demo.variants import Variants

ML = "d-mlplatf0rm01"


class Clock:
    """The account's clock, moved by the test, so a transition can be caught half-way."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _new(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "DomainId": ML,
        "SpaceName": name,
        "SpaceSettings": {"AppType": "JupyterLab"},
        "OwnershipSettings": {"OwnerUserProfileName": "alice"},
        "SpaceSharingSettings": {"SharingType": "Private"},
    } | extra


async def _code(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        await call
    return str(caught.value.response["Error"]["Code"])


async def test_create_is_pending_then_in_service_and_delete_is_deleting_then_gone(
    boto_client: Any,
) -> None:
    answer = await boto_client.create_space(**_new("fresh-one"))
    assert answer["SpaceArn"].endswith(":space/d-mlplatf0rm01/fresh-one")
    desc = await boto_client.describe_space(DomainId=ML, SpaceName="fresh-one")
    assert desc["Status"] == "InService"
    assert desc["OwnershipSettings"] == {"OwnerUserProfileName": "alice"}
    assert desc["SpaceSettings"]["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 5
    await boto_client.delete_space(DomainId=ML, SpaceName="fresh-one")
    assert await _code(boto_client.describe_space(DomainId=ML, SpaceName="fresh-one")) == "ResourceNotFound"
    names = [
        s["SpaceName"] for s in (await boto_client.list_spaces(DomainIdEquals=ML, MaxResults=100))["Spaces"]
    ]
    assert "fresh-one" not in names


async def test_transitions_are_seen_half_way() -> None:
    import aiobotocore.session

    from tests.conftest import client_kwargs

    account = DemoAccount.seeded()
    clock = Clock()
    account.clock = clock
    async with DemoServer(account, transition_delay=5.0) as server:
        session = aiobotocore.session.get_session()
        async with session.create_client("sagemaker", **client_kwargs(server)) as sm:
            await sm.create_space(**_new("slow-one"))
            assert (await sm.describe_space(DomainId=ML, SpaceName="slow-one"))["Status"] == "Pending"
            # A Pending space can be neither deleted nor updated yet.
            assert await _code(sm.delete_space(DomainId=ML, SpaceName="slow-one")) == "ResourceInUse"
            clock.now = 10.0
            assert (await sm.describe_space(DomainId=ML, SpaceName="slow-one"))["Status"] == "InService"
            await sm.delete_space(DomainId=ML, SpaceName="slow-one")
            listed = (await sm.list_spaces(DomainIdEquals=ML, MaxResults=100))["Spaces"]
            assert [s["Status"] for s in listed if s["SpaceName"] == "slow-one"] == ["Deleting"]
            # The name stays taken while the space is being deleted.
            assert await _code(sm.create_space(**_new("slow-one"))) == "ResourceInUse"
            clock.now = 20.0
            listed = (await sm.list_spaces(DomainIdEquals=ML, MaxResults=100))["Spaces"]
            assert "slow-one" not in [s["SpaceName"] for s in listed]
            await sm.create_space(**_new("slow-one"))  # the name is free again


async def test_create_refusals_use_the_errors_the_model_lists(demo: DemoServer, boto_client: Any) -> None:
    create = boto_client.create_space
    assert await _code(create(**_new("fraud-detection"))) == "ResourceInUse"  # the name is taken
    assert await _code(create(**_new("x", DomainId="d-nosuchdomain1"))) == "ValidationException"
    too_big = {
        "AppType": "JupyterLab",
        "SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 101}},
    }
    assert await _code(create(**_new("x", SpaceSettings=too_big))) == "ValidationException"
    assert await _code(create(**_new("x", OwnershipSettings={"OwnerUserProfileName": "nobody"}))) == (
        "ValidationException"
    )
    assert await _code(create(**_new("x", SpaceSettings={"AppType": "RStudioServerPro"}))) == (
        "ValidationException"
    )
    demo.account.domains[ML].shared_spaces = False
    shared = _new("x", SpaceSharingSettings={"SharingType": "Shared"})
    assert await _code(create(**shared)) == "ValidationException"
    assert "DefaultSpaceSettings" not in await boto_client.describe_domain(DomainId=ML)
    demo.faults.spaces_per_domain = len(demo.account.domains[ML].spaces)
    assert await _code(create(**_new("one-too-many"))) == "ResourceLimitExceeded"


async def test_domain_settings_carry_the_storage_bounds(boto_client: Any) -> None:
    domain = await boto_client.describe_domain(DomainId=ML)
    expected = {"DefaultEbsVolumeSizeInGb": 5, "MaximumEbsVolumeSizeInGb": 100}
    assert domain["DefaultUserSettings"]["SpaceStorageSettings"]["DefaultEbsStorageSettings"] == expected
    assert domain["DefaultSpaceSettings"]["SpaceStorageSettings"]["DefaultEbsStorageSettings"] == expected
    too_big = {"SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 101}}}
    code = await _code(
        boto_client.update_space(DomainId=ML, SpaceName="feature-store-dev", SpaceSettings=too_big)
    )
    assert code == "ValidationException"


@pytest.mark.parametrize("variant", ["refuse", "allow"])
async def test_delete_of_a_space_whose_app_runs_is_the_variant_the_switch_names(
    demo: DemoServer, boto_client: Any, variant: str
) -> None:
    demo.variants = Variants.all_strict() if variant == "refuse" else Variants.all_lenient()
    call = boto_client.delete_space(DomainId=ML, SpaceName="fraud-detection")
    if variant == "refuse":
        assert await _code(call) == "ResourceInUse"
        assert (await boto_client.describe_space(DomainId=ML, SpaceName="fraud-detection"))[
            "Status"
        ] == "InService"
        return
    await call
    assert (
        await _code(boto_client.describe_space(DomainId=ML, SpaceName="fraud-detection"))
        == "ResourceNotFound"
    )
    apps = (await boto_client.list_apps(DomainIdEquals=ML, SpaceNameEquals="fraud-detection"))["Apps"]
    assert apps == []


async def test_delete_of_a_missing_space_is_resource_not_found(boto_client: Any) -> None:
    assert await _code(boto_client.delete_space(DomainId=ML, SpaceName="no-such-space")) == "ResourceNotFound"


async def test_a_delete_failed_space_can_be_deleted_again(boto_client: Any) -> None:
    await boto_client.delete_space(DomainId=ML, SpaceName="old-experiments")
    assert (
        await _code(boto_client.describe_space(DomainId=ML, SpaceName="old-experiments"))
        == "ResourceNotFound"
    )
