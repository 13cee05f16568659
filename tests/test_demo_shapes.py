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

MODEL = botocore.session.get_session().get_service_model("sagemaker")


def shape_errors(value: Any, shape: Any, path: str = "$") -> list[str]:
    """Differences between a decoded JSON value and a botocore shape (empty list: it fits)."""
    if shape is None:  # operations without output (DeleteApp) answer an empty object
        return [] if value == {} else [f"{path}: expected empty object, got {value!r:.80}"]
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object for {shape.name}, got {type(value).__name__}"]
        errors = [
            f"{path}.{name}: unknown member of {shape.name}" for name in value if name not in shape.members
        ]
        errors += [
            f"{path}.{name}: required member missing" for name in shape.required_members if name not in value
        ]
        for name, item in value.items():
            if name in shape.members:
                errors += shape_errors(item, shape.members[name], f"{path}.{name}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list, got {type(value).__name__}"]
        return [e for i, item in enumerate(value) for e in shape_errors(item, shape.member, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map, got {type(value).__name__}"]
        return [
            e
            for k, v in value.items()
            for e in shape_errors(k, shape.key, f"{path}<key>") + shape_errors(v, shape.value, f"{path}[{k}]")
        ]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string, got {type(value).__name__}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.name}'s values"]
        limit = shape.metadata.get("max")
        if limit is not None and len(value) > limit:
            return [f"{path}: longer than {limit}"]
        return []
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path}: expected integer, got {type(value).__name__}"]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return [f"{path}: {value} outside {low}..{high}"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean"]
    if kind in ("timestamp", "double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected number (epoch seconds), got {type(value).__name__}"]
    return [f"{path}: unexpected shape type {kind}"]


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
        ("ListSpaces", {"Bogus": 1}, "ValidationException"),
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
