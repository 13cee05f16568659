"""Every answer of the simulated SageMaker API matches botocore's output shape for its operation.

The raw JSON is checked (not botocore's parsed view, which silently drops unknown members), so the
fake cannot drift from the real service's wire format.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from sm_spaces.demo.sagemaker_api import HANDLERS
from sm_spaces.demo.shapes import answer_problems, shape_errors

MODEL = botocore.session.get_session().get_service_model("sagemaker")


def test_validator_catches_what_it_must() -> None:
    out = MODEL.operation_model("ListSpaces").output_shape
    good = {
        "Spaces": [
            {
                "DomainId": "d-abc",
                "SpaceName": "x",
                "Status": "InService",
                "CreationTime": 1.5,
                "SpaceSettingsSummary": {
                    "SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 5}}
                },
            }
        ]
    }
    assert shape_errors(good, out) == []
    bad = {
        "Spaces": [
            {
                "DomainId": 3,
                "Status": "Running",
                "Extra": 1,
                "CreationTime": "yesterday",
                "SpaceSettingsSummary": {"SpaceStorageSettings": {"EbsStorageSettings": {}}},
            }
        ]
    }
    errors = " ".join(shape_errors(bad, out))
    for needle in (
        "DomainId: expected string",
        "'Running' is not one of",
        "Extra: unknown member",
        "CreationTime: expected number",
        "EbsVolumeSizeInGb: required member missing",
    ):
        assert needle in errors


class Recorder:
    """Sends raw signed calls and keeps (operation, answer) pairs for validation."""

    def __init__(self, demo: Any, signed_call: Any) -> None:
        self.demo, self.signed_call = demo, signed_call
        self.answers: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, op: str, region: str | None = None, **params: Any) -> dict[str, Any]:
        status, headers, body = await self.signed_call(self.demo, op, params, region=region)
        assert status == 200, (op, params, body)
        assert headers["Content-Type"].startswith("application/x-amz-json-1.1")
        answer = json.loads(body)
        self.answers.append((op, answer))
        return answer

    async def pages(
        self, op: str, key: str, region: str | None = None, **params: Any
    ) -> list[dict[str, Any]]:
        items, token = [], None
        while True:
            answer = await self(op, region, **params, **({"NextToken": token} if token else {}))
            items += answer[key]
            token = answer.get("NextToken")
            if not token:
                return items


async def test_every_operation_answer_fits_botocore_output_shape(demo: Any, signed_call: Any) -> None:
    call = Recorder(demo, signed_call)
    for region in ("us-east-1", "eu-west-1", "us-west-2"):
        domains = await call.pages("ListDomains", "Domains", region, MaxResults=1)
        for domain in domains:
            did = domain["DomainId"]
            await call("DescribeDomain", region, DomainId=did)
            for profile in await call.pages(
                "ListUserProfiles", "UserProfiles", region, DomainIdEquals=did, MaxResults=2
            ):
                await call(
                    "DescribeUserProfile", region, DomainId=did, UserProfileName=profile["UserProfileName"]
                )
            for space in await call.pages("ListSpaces", "Spaces", region, DomainIdEquals=did, MaxResults=3):
                await call("DescribeSpace", region, DomainId=did, SpaceName=space["SpaceName"])
            for app in await call.pages("ListApps", "Apps", region, DomainIdEquals=did):
                await call(
                    "DescribeApp",
                    region,
                    DomainId=did,
                    SpaceName=app["SpaceName"],
                    AppType=app["AppType"],
                    AppName=app["AppName"],
                )
    await call.pages("ListSpaces", "Spaces", SortOrder="Descending", SortBy="LastModifiedTime")
    await call.pages("ListApps", "Apps", SpaceNameEquals="fraud-detection")

    did = "d-mlplatf0rm01"
    await call(
        "UpdateSpace",
        DomainId=did,
        SpaceName="model-monitoring",
        SpaceDisplayName="Model monitoring",
        SpaceSettings={
            "RemoteAccess": "ENABLED",
            "CodeEditorAppSettings": {
                "DefaultResourceSpec": {"InstanceType": "ml.t3.large"},
                "AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": 90}},
            },
            "SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 10}},
        },
    )
    await call(
        "CreateApp", DomainId=did, SpaceName="model-monitoring", AppType="CodeEditor", AppName="default"
    )
    described = await call(
        "DescribeApp", DomainId=did, SpaceName="model-monitoring", AppType="CodeEditor", AppName="default"
    )
    assert described["Status"] == "InService" and described["ResourceSpec"]["InstanceType"] == "ml.t3.large"
    space = await call("DescribeSpace", DomainId=did, SpaceName="model-monitoring")
    await call("StartSession", ResourceIdentifier=space["SpaceArn"])
    await call(
        "DeleteApp", DomainId=did, SpaceName="model-monitoring", AppType="CodeEditor", AppName="default"
    )
    await call(
        "DescribeApp", DomainId=did, SpaceName="model-monitoring", AppType="CodeEditor", AppName="default"
    )
    await call(
        "CreateApp",
        DomainId="d-research5bx2",
        SpaceName="custom-image-test",
        AppType="CodeEditor",
        AppName="default",
    )
    failed = await call(
        "DescribeApp",
        DomainId="d-research5bx2",
        SpaceName="custom-image-test",
        AppType="CodeEditor",
        AppName="default",
    )
    assert failed["Status"] == "Failed" and failed["FailureReason"]
    await call(
        "CreateSpace",
        DomainId=did,
        SpaceName="shape-check",
        SpaceSettings={"AppType": "JupyterLab"},
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSharingSettings={"SharingType": "Private"},
    )
    await call("DescribeSpace", DomainId=did, SpaceName="shape-check")
    await call("DeleteSpace", DomainId=did, SpaceName="shape-check")

    assert {op for op, _ in call.answers} == set(HANDLERS)
    problems = [
        f"{op}: {error}"
        for op, answer in call.answers
        for error in shape_errors(answer, MODEL.operation_model(op).output_shape)
    ]
    assert problems == []
    assert len(call.answers) > 60


@pytest.mark.parametrize(
    "op, params, code",
    [
        ("DescribeSpace", {"DomainId": "d-mlplatf0rm01", "SpaceName": "nope"}, "ResourceNotFound"),
        ("DescribeSpace", {"DomainId": "d-mlplatf0rm01"}, "ValidationException"),
        ("ListSpaces", {"SortBy": "Bogus"}, "ValidationException"),
        ("ListSpaces", {"MaxResults": "ten"}, "SerializationException"),
        (
            "CreateApp",
            {
                "DomainId": "d-mlplatf0rm01",
                "SpaceName": "fraud-detection",
                "AppType": "JupyterLab",
                "AppName": "default",
            },
            "ResourceInUse",
        ),
    ],
)
async def test_errors_have_the_json_protocol_shape(
    demo: Any, signed_call: Any, op: str, params: dict, code: str
) -> None:
    status, headers, body = await signed_call(demo, op, params)
    answer = json.loads(body)
    assert status == 400 and set(answer) == {"__type", "message"}
    assert answer["__type"] == code and headers["x-amzn-ErrorType"] == code and answer["message"]
    if code in ("ResourceNotFound", "ResourceInUse"):
        # Modeled errors: the body must fit botocore's error shape too (it has a Message member).
        assert MODEL.shape_for(code).members.keys() >= {"Message"}


@pytest.mark.parametrize(
    "op, params, message",
    [
        (
            "DescribeSpace",
            {"DomainId": "d-mlplatf0rm01", "SpaceName": "bad name!"},
            "1 validation error detected: Value 'bad name!' at 'spaceName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        ),
        (
            "ListSpaces",
            {"SortBy": "Bogus"},
            "1 validation error detected: Value 'Bogus' at 'sortBy' failed to satisfy constraint: "
            "Member must satisfy enum value set: [CreationTime, LastModifiedTime]",
        ),
        (
            "ListSpaces",
            {"MaxResults": 101, "SortOrder": "Up"},
            "2 validation errors detected: Value '101' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 100; Value 'Up' at 'sortOrder' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Ascending, Descending]",
        ),
        (
            "DescribeSpace",
            {"DomainId": "d-mlplatf0rm01"},
            "1 validation error detected: Value null at 'spaceName' failed to satisfy constraint: "
            "Member must not be null",
        ),
        (
            "UpdateSpace",
            {
                "DomainId": "d-mlplatf0rm01",
                "SpaceName": "churn-model",
                "SpaceSettings": {
                    "RemoteAccess": "ON",
                    "SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 2}},
                },
            },
            "2 validation errors detected: Value '2' at "
            "'spaceSettings.spaceStorageSettings.ebsStorageSettings.ebsVolumeSizeInGb' failed to satisfy "
            "constraint: Member must have value greater than or equal to 5; Value 'ON' at "
            "'spaceSettings.remoteAccess' failed to satisfy constraint: Member must satisfy enum value set: "
            "[ENABLED, DISABLED]",
        ),
        (
            "StartSession",
            {"ResourceIdentifier": "i-0123456789abcdef0"},
            "1 validation error detected: Value 'i-0123456789abcdef0' at 'resourceIdentifier' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:.*\\/.*",
        ),
    ],
)
async def test_requests_are_validated_in_aws_words(
    demo: Any, signed_call: Any, op: str, params: dict, message: str
) -> None:
    status, _, body = await signed_call(demo, op, params)
    assert status == 400 and json.loads(body) == {"__type": "ValidationException", "message": message}


async def test_members_the_model_does_not_know_are_ignored(demo: Any, signed_call: Any) -> None:
    status, _, body = await signed_call(demo, "ListDomains", {"FutureMember": True})
    assert status == 200 and json.loads(body)["Domains"]


async def test_an_answer_outside_the_model_is_caught(demo: Any, signed_call: Any, tmp_path: Any) -> None:
    # The whole suite runs with this check on (tests/conftest.py); here a planted wrong answer
    # shows that it catches one, in a log of this test's own.
    demo.shape_log = str(tmp_path / "problems.log")
    original = HANDLERS["ListDomains"]
    HANDLERS["ListDomains"] = lambda call, p: {"Domains": [{"DomainId": 7, "Colour": "red"}]}
    try:
        status, _, _ = await signed_call(demo, "ListDomains", {})
    finally:
        HANDLERS["ListDomains"] = original
    assert status == 200
    written = (tmp_path / "problems.log").read_text().splitlines()
    assert (
        written
        == demo.shape_problems
        == [
            "ListDomains: $.Domains[0].Colour: unknown member of DomainDetails",
            "ListDomains: $.Domains[0].DomainId: expected string, got int",
        ]
    )


def test_error_answers_are_checked_too() -> None:
    assert answer_problems("DescribeSpace", 400, {"__type": "ResourceNotFound", "message": "x"}) == []
    assert answer_problems("DescribeSpace", 400, {"__type": "ValidationException", "message": "x"}) == []
    assert answer_problems("DescribeSpace", 500, {"__type": "InternalFailure", "message": "x"}) == []
    assert answer_problems("DescribeSpace", 400, {"__type": "NoSuchThing", "message": "x"}) == [
        "NoSuchThing is neither a modeled SageMaker error nor a common AWS error"
    ]
    assert answer_problems("DescribeSpace", 400, {"__type": "ResourceInUse", "message": "x", "Extra": 1}) == [
        "$.Extra: unknown member of ResourceInUse"
    ]
    assert answer_problems("DescribeSpace", 400, {"__type": "InternalFailure", "message": "x"}) == [
        "InternalFailure answered with status 400"
    ]
