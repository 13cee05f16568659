"""The simulated organisation: the Identity Center portal answers in botocore's `sso` shapes, and
each key signs for its own account only (sigv4.py maps the access key to the account)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from sm_spaces.demo.server import ThreadedDemo
from sm_spaces.demo.shapes import model, shape_errors

RESEARCH, SANDBOX = "234567890123", "345678901234"


def _portal(demo_thread: ThreadedDemo) -> Any:
    return botocore.session.Session().create_client(
        "sso",
        region_name="us-east-1",
        endpoint_url=demo_thread.server.endpoint_url,
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}),
    )


def _client(demo_thread: ThreadedDemo, service: str, keys: dict[str, str]) -> Any:
    return botocore.session.Session().create_client(
        service,
        region_name="us-east-1",
        endpoint_url=demo_thread.server.endpoint_url,
        aws_access_key_id=keys["accessKeyId"],
        aws_secret_access_key=keys["secretAccessKey"],
        aws_session_token=keys["sessionToken"],
        config=Config(retries={"total_max_attempts": 1}),
    )


def _fits(op: str, answer: dict) -> list[str]:
    body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    if op == "GetRoleCredentials":  # botocore hands the epoch-milliseconds long back as is
        assert isinstance(body["roleCredentials"]["expiration"], int)
    return shape_errors(body, model("sso").operation_model(op).output_shape)


def test_portal_answers_fit_botocore_sso_shapes_and_page(demo_thread: ThreadedDemo) -> None:
    portal, token = _portal(demo_thread), demo_thread.server.org.token
    first = portal.list_accounts(accessToken=token, maxResults=2)
    assert _fits("ListAccounts", first) == []
    rest = portal.list_accounts(accessToken=token, maxResults=2, nextToken=first["nextToken"])
    assert "nextToken" not in rest
    names = [a["accountName"] for a in first["accountList"] + rest["accountList"]]
    assert names == ["studio-prod", "vision-research", "sandbox"]
    roles = portal.list_account_roles(accessToken=token, accountId=SANDBOX)
    assert _fits("ListAccountRoles", roles) == [] and roles["roleList"][0]["roleName"] == "ReadOnly"
    keys = portal.get_role_credentials(accessToken=token, accountId=RESEARCH, roleName="DataScientist")
    assert _fits("GetRoleCredentials", keys) == []


def test_portal_refuses_an_unknown_token_and_an_unassigned_role(demo_thread: ThreadedDemo) -> None:
    portal = _portal(demo_thread)
    with pytest.raises(ClientError) as refused:
        portal.list_accounts(accessToken="not-the-token")
    assert refused.value.response["Error"]["Code"] == "UnauthorizedException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    with pytest.raises(ClientError) as forbidden:
        portal.get_role_credentials(
            accessToken=demo_thread.server.org.token, accountId=RESEARCH, roleName="ReadOnly"
        )
    assert forbidden.value.response["Error"]["Code"] == "ForbiddenException"


def test_each_roles_keys_sign_for_its_own_account(demo_thread: ThreadedDemo) -> None:
    portal, token = _portal(demo_thread), demo_thread.server.org.token
    keys = portal.get_role_credentials(accessToken=token, accountId=RESEARCH, roleName="DataScientist")
    research = keys["roleCredentials"]
    sagemaker = _client(demo_thread, "sagemaker", research)
    domains = sagemaker.list_domains()["Domains"]
    assert [(d["DomainName"], d["DomainArn"].split(":")[4]) for d in domains] == [("vision-lab", RESEARCH)]
    caller = _client(demo_thread, "sts", research).get_caller_identity()
    assert caller["Account"] == RESEARCH
    assert ":assumed-role/AWSReservedSSO_DataScientist_" in caller["Arn"]
    forged = dict(research, secretAccessKey="x" * 40)  # the right key id, the wrong secret
    with pytest.raises(ClientError) as refused:
        _client(demo_thread, "sagemaker", forged).list_domains()
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_a_role_denied_sagemaker_gets_access_denied_and_sts_still_answers(demo_thread: ThreadedDemo) -> None:
    portal, token = _portal(demo_thread), demo_thread.server.org.token
    keys = portal.get_role_credentials(accessToken=token, accountId=SANDBOX, roleName="ReadOnly")
    denied = keys["roleCredentials"]
    with pytest.raises(ClientError) as refused:
        _client(demo_thread, "sagemaker", denied).list_domains()
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert f"arn:aws:sts::{SANDBOX}:assumed-role/AWSReservedSSO_ReadOnly_" in error["Message"]
    assert _client(demo_thread, "sts", denied).get_caller_identity()["Account"] == SANDBOX
