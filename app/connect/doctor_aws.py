"""Doctor checks against AWS: credentials, region, and the SageMaker actions the program uses.

Read actions are tried for real with small, harmless calls. Write actions (start, stop, remote
access, connect) are never tried: they are asked of `iam:SimulatePrincipalPolicy` when the caller
may use it, and otherwise marked untested with the reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..aws.errors import AwsError
from .doctor import Check, DoctorContext, Status

READ_ACTIONS = (
    "ListDomains",
    "DescribeDomain",
    "ListUserProfiles",
    "ListSpaces",
    "ListApps",
    "DescribeSpace",
)
WRITE_ACTIONS = ("CreateApp", "DeleteApp", "UpdateSpace", "StartSession", "CreateSpace", "DeleteSpace")


async def check_account(ctx: DoctorContext) -> list[Check]:
    checks = [await _credentials(ctx), _region(ctx)]
    if not ctx.caller_ok:
        return checks + [Check("permissions", Status.SKIP, "untested: they need working credentials first")]
    checks += await _read_actions(ctx)
    checks += await _write_actions(ctx)
    if all(c.status is Status.OK for c in checks if c.name in ("sagemaker:ListSpaces", "sagemaker:ListApps")):
        from .block_regions import covered_regions, installed_block_at, spaces_in

        try:  # the aliases the ssh config block should hold, for every region it covers
            installed = installed_block_at(ctx.config_path)
            ctx.spaces = await spaces_in(ctx.svc, covered_regions(ctx.svc.region, installed))
        except AwsError:
            ctx.spaces = None
    return checks


async def _credentials(ctx: DoctorContext) -> Check:
    who = (
        "the simulated account"
        if ctx.demo
        else (f"AWS profile {ctx.profile}" if ctx.profile else "the default credential chain")
    )
    try:
        caller = await ctx.svc.caller()
    except AwsError as err:
        return Check("credentials", Status.FAIL, err.message if err.fix else f"{who}: {err.message}")
    ctx.caller_ok, ctx.partition = True, caller.partition
    ctx.caller_arn = caller.arn
    return Check("credentials", Status.OK, f"{who}: account {caller.account} as {caller.arn}")


def _region(ctx: DoctorContext) -> Check:
    from ..aws.context import available_regions

    region = ctx.svc.region
    try:
        known = available_regions(ctx.partition)
    except Exception:  # botocore's data unreadable: say so rather than guess
        return Check("region", Status.SKIP, f"{region} (botocore has no region list to check against)")
    if region in known:
        return Check("region", Status.OK, f"{region} offers SageMaker")
    if ctx.endpoint_url:
        return Check(
            "region", Status.WARN, f"{region} is not a SageMaker region AWS lists (endpoint URL in use)"
        )
    return Check(
        "region",
        Status.FAIL,
        f"{region} is not a region where SageMaker is offered",
        "pass --region (e.g. us-east-1) or set AWS_REGION",
    )


# --- read actions: try them -------------------------------------------------------------------


async def _read_actions(ctx: DoctorContext) -> list[Check]:
    svc = ctx.svc
    results: dict[str, Any] = {}
    results["ListDomains"] = await _try(svc.call("ListDomains", MaxResults=10))
    domains = results["ListDomains"].get("Domains", []) if isinstance(results["ListDomains"], dict) else []
    domain_id = domains[0]["DomainId"] if domains else None
    scope = {"DomainIdEquals": domain_id} if domain_id else {}
    calls = {
        "DescribeDomain": svc.call("DescribeDomain", DomainId=domain_id) if domain_id else None,
        "ListUserProfiles": svc.call("ListUserProfiles", MaxResults=10, **scope),
        "ListSpaces": svc.call("ListSpaces", MaxResults=10, **scope),
        "ListApps": svc.call("ListApps", MaxResults=10, **scope),
    }
    pending = {op: coro for op, coro in calls.items() if coro is not None}
    for op, answer in zip(pending, await asyncio.gather(*(_try(c) for c in pending.values())), strict=True):
        results[op] = answer
    spaces = results["ListSpaces"].get("Spaces", []) if isinstance(results.get("ListSpaces"), dict) else []
    if spaces:
        first = spaces[0]
        results["DescribeSpace"] = await _try(
            svc.call("DescribeSpace", DomainId=first["DomainId"], SpaceName=first["SpaceName"])
        )
    checks = []
    for op in READ_ACTIONS:
        answer = results.get(op)
        if answer is None and op == "DescribeSpace" and isinstance(results.get("ListSpaces"), AwsError):
            checks.append(Check(f"sagemaker:{op}", Status.SKIP, "untested: no space could be listed"))
        elif answer is None:
            what = "domain" if op == "DescribeDomain" else "space"
            checks.append(
                Check(f"sagemaker:{op}", Status.SKIP, f"untested: no {what} in {svc.region} to read")
            )
        elif isinstance(answer, AwsError):
            checks.append(_failed(op, answer))
        else:
            checks.append(Check(f"sagemaker:{op}", Status.OK, "allowed"))
    return checks


async def _try(call: Any) -> Any:
    try:
        return await call
    except AwsError as err:
        return err


def _failed(op: str, err: AwsError) -> Check:
    if err.kind == "access_denied":
        # The message names the action and the IAM statement that grants it.
        _, _, statement = err.message.partition("; ")
        return Check(
            f"sagemaker:{op}",
            Status.FAIL,
            f"denied: your identity may not call sagemaker:{op}",
            statement or err.message,
        )
    return Check(f"sagemaker:{op}", Status.FAIL, f"failed: {err.message}", err.fix)


# --- write actions: ask the IAM policy simulator ---------------------------------------------


async def _write_actions(ctx: DoctorContext) -> list[Check]:
    names = [f"sagemaker:{op}" for op in WRITE_ACTIONS]
    source = policy_source_arn(ctx.caller_arn)
    if source is None:
        reason = "untested: this kind of identity cannot be simulated (not an IAM user or role)"
        return [Check(name, Status.SKIP, reason) for name in names]
    try:
        answer = await ctx.svc.call(
            "SimulatePrincipalPolicy",
            service="iam",
            PolicySourceArn=source,
            ActionNames=names,
            ResourceArns=["*"],
        )
    except AwsError as err:
        if err.kind == "access_denied":
            why = "you may not call it"
        elif ctx.endpoint_url:
            why = f"the endpoint {ctx.endpoint_url} does not offer IAM"
        else:
            why = _short(err.message)
        untested = "untested: a write action, never tried for real"
        return [Check("iam:SimulatePrincipalPolicy", Status.SKIP, f"unavailable: {why}")] + [
            Check(name, Status.SKIP, untested) for name in names
        ]
    decisions = {
        r.get("EvalActionName"): r.get("EvalDecision", "") for r in answer.get("EvaluationResults", [])
    }
    checks = []
    for name in names:
        decision = decisions.get(name, "")
        if decision == "allowed":
            checks.append(Check(name, Status.OK, "allowed (IAM policy simulation)"))
        else:
            statement = f'{{"Effect": "Allow", "Action": "{name}", "Resource": "*"}}'
            checks.append(
                Check(
                    name,
                    Status.FAIL,
                    f"{decision or 'not evaluated'} (IAM policy simulation)",
                    f"ask for an IAM policy statement {statement}",
                )
            )
    return checks


def policy_source_arn(caller_arn: str) -> str | None:
    """The IAM principal to simulate for an STS caller ARN: users as they are, an assumed role as its
    role (a role with a path is not found by name; the simulator then fails and we say untested)."""
    parts = caller_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if service == "iam" and resource.startswith("user/"):
        return caller_arn
    if service == "sts" and resource.startswith("assumed-role/"):
        role = resource.split("/")[1]
        return f"arn:{partition}:iam::{account}:role/{role}"
    return None


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
