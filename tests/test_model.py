"""The pure model: derived status (every branch of DESIGN §4), ARNs and ssh aliases."""

import pytest
from sm_spaces.model import (
    App,
    Space,
    SpaceStatus,
    alias_for,
    assign_aliases,
    derive_status,
    remote_access_upgrade,
)
from sm_spaces.names import SpaceArn, is_space_arn
from sm_spaces.space_changes import IdleBounds

S = SpaceStatus


@pytest.mark.parametrize(
    "space_status, app_status, expected",
    [
        ("Failed", None, S.FAILED),
        ("Update_Failed", "InService", S.FAILED),
        ("Delete_Failed", "Deleted", S.FAILED),
        ("InService", "Failed", S.FAILED),
        ("Deleting", "Failed", S.FAILED),
        ("Updating", "Failed", S.UPDATING),  # a failed app does not hide an update in progress
        ("InService", "InService", S.RUNNING),
        ("InService", "Pending", S.STARTING),
        ("Updating", None, S.UPDATING),
        ("Updating", "InService", S.UPDATING),
        ("InService", "Deleting", S.STOPPING),
        ("InService", "Deleted", S.STOPPED),
        ("InService", None, S.STOPPED),
        ("Deleting", None, S.DELETING),
        ("Deleting", "Deleted", S.DELETING),
        ("Pending", None, S.CREATING),  # the space itself is being created
        (None, None, S.UNKNOWN),
        ("InService", "Weird", S.UNKNOWN),
    ],
)
def test_derived_status(space_status, app_status, expected):
    assert derive_status(space_status, app_status) is expected


def test_transitional_states():
    assert {s for s in S if s.in_transition} == {S.CREATING, S.STARTING, S.STOPPING, S.UPDATING, S.DELETING}


def test_space_status_uses_its_app():
    app = App("d-abc", "nb", "JupyterLab", "default", "Pending", "ml.t3.large")
    space = Space("d-abc", "nb", "us-east-1", "123456789012", "InService", app=app)
    assert space.status is S.STARTING
    assert space.arn == "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc/nb"


def test_arn_round_trip():
    text = "arn:aws:sagemaker:eu-west-1:123456789012:space/d-0123abcd/my-space-1"
    arn = SpaceArn.parse(text)
    assert (arn.region, arn.account, arn.domain_id, arn.space_name) == (
        "eu-west-1",
        "123456789012",
        "d-0123abcd",
        "my-space-1",
    )
    assert str(arn) == text
    assert SpaceArn.parse("arn:aws-cn:sagemaker:cn-north-1:123456789012:space/d-x1/s").partition == "aws-cn"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "arn:aws:sagemaker:eu-west-1:123456789012:space/d-0123/",
        "arn:aws:sagemaker:eu-west-1:12345:space/d-0123/s",
        "arn:aws:sagemaker:eu-west-1:123456789012:domain/d-0123",
        "arn:aws:sagemaker:eu-west-1:123456789012:space/d-0123/s\nHost *",
        "arn:aws:sagemaker:eu-west-1:123456789012:space/d-0123/s x",
        "arn:aws:sagemaker:eu-west-1:123456789012:space/d-0123/s\n",
        "arn:evil:sagemaker:eu-west-1:123456789012:space/d-0123/s",
    ],
)
def test_arn_rejects(bad):
    assert not is_space_arn(bad)
    with pytest.raises(ValueError):
        SpaceArn.parse(bad)


def test_aliases_are_readable_and_safe():
    assert alias_for("My_Space 1") == "sm-my-space-1"
    assert alias_for("nb", "d-abc123") == "sm-nb.d-abc123"
    assert alias_for("x\nHost *%#'\"") == "sm-x-host"


def test_assign_aliases_disambiguates_only_collisions():
    a = Space("d-one", "nb", "us-east-1", "1", "InService")
    b = Space("d-two", "nb", "us-east-1", "1", "InService")
    c = Space("d-one", "solo", "us-east-1", "1", "InService")
    assert [s.alias for s in assign_aliases([a, b, c])] == ["sm-nb.d-one", "sm-nb.d-two", "sm-solo"]


def test_remote_access_upgrade():
    assert remote_access_upgrade("ml.t3.medium") == "ml.t3.large"
    assert remote_access_upgrade("ml.c5.large") == "ml.c5.xlarge"
    assert remote_access_upgrade("ml.m5.large") is None
    assert remote_access_upgrade(None) is None


def test_idle_bounds():
    IdleBounds(60, 120).check(90)
    with pytest.raises(ValueError, match="outside 60–120"):
        IdleBounds(60, 120).check(121)
