"""The fixed contents of the demo account: realistic names, both app types, every state the UI shows.

Two regions hold domains (us-east-1 most of them, eu-west-1 one); us-west-2 is empty on purpose.
The Identity Center domain's profiles carry `SingleSignOnUserValue`, so "my spaces" can be tried
with `DemoAccount.use_sso_user(SSO_DEMO_USER)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .account import DemoAccount

SSO_DEMO_USER = "maria.garcia"

# Fixed instants keep the account byte-for-byte the same on every run.
_EPOCH = 1_767_600_000.0  # 2026-01-05
_DAY = 86_400.0

# (region, domain id, name, auth mode, max idle minutes, [(profile, sso user)])
# (region, domain id, name, auth mode, max idle minutes, [(user profile, SSO user name or None)])
_DOMAINS: list[tuple[str, str, str, str, int, list[tuple[str, str | None]]]] = [
    ("us-east-1", "d-mlplatf0rm01", "ml-platform", "IAM", 480, [("alice", None), ("bob", None)]),
    ("us-east-1", "d-research5bx2", "research-sandbox", "IAM", 1440, [("carol", None), ("dave", None)]),
    (
        "us-east-1",
        "d-studi0ss0a3b",
        "studio-sso",
        "SSO",
        240,
        [("maria-garcia", "maria.garcia"), ("james-chen", "james.chen")],
    ),
    ("eu-west-1", "d-euanalyt1cs4", "eu-analytics", "IAM", 525_600, [("lena", None)]),
]

# state: "running", "stopped", "failed" (last start failed), "fails" (stopped; next start fails),
# and the space-level states a real account shows too: "pending" (being created), "update_failed",
# "delete_failed" (with the space's FailureReason)
# (domain, space, app type, owner, shared?, instance type, remote access, state, storage GiB, idle min)
_SPACES = [
    (
        "ml-platform",
        "fraud-detection",
        "JupyterLab",
        "alice",
        False,
        "ml.m5.xlarge",
        True,
        "running",
        20,
        120,
    ),
    ("ml-platform", "llm-finetune", "JupyterLab", "alice", False, "ml.g5.2xlarge", True, "running", 100, 240),
    (
        "ml-platform",
        "feature-store-dev",
        "CodeEditor",
        "alice",
        False,
        "ml.t3.large",
        True,
        "stopped",
        10,
        60,
    ),
    ("ml-platform", "churn-model", "JupyterLab", "bob", False, "ml.t3.medium", False, "running", 5, 60),
    ("ml-platform", "team-notebooks", "JupyterLab", "bob", True, "ml.m5.2xlarge", True, "running", 50, 180),
    ("ml-platform", "model-monitoring", "CodeEditor", "bob", False, "ml.t3.medium", False, "stopped", 5, 60),
    ("ml-platform", "recsys-training", "JupyterLab", "alice", False, "ml.g5.xlarge", True, "failed", 50, 120),
    ("ml-platform", "pipeline-debug", "CodeEditor", "bob", False, "ml.m5.large", False, "stopped", 10, 60),
    ("ml-platform", "data-quality", "JupyterLab", "alice", True, "ml.t3.large", True, "stopped", 10, 120),
    (
        "ml-platform",
        "image-classifier",
        "CodeEditor",
        "alice",
        False,
        "ml.g5.xlarge",
        True,
        "stopped",
        30,
        60,
    ),
    (
        "research-sandbox",
        "genai-playground",
        "JupyterLab",
        "carol",
        False,
        "ml.g5.xlarge",
        True,
        "running",
        50,
        480,
    ),
    (
        "research-sandbox",
        "rag-prototype",
        "CodeEditor",
        "carol",
        False,
        "ml.t3.xlarge",
        True,
        "stopped",
        20,
        120,
    ),
    (
        "research-sandbox",
        "embeddings-eval",
        "JupyterLab",
        "dave",
        False,
        "ml.m5.xlarge",
        False,
        "stopped",
        20,
        60,
    ),
    (
        "research-sandbox",
        "nlp-experiments",
        "JupyterLab",
        "dave",
        False,
        "ml.t3.medium",
        False,
        "stopped",
        5,
        60,
    ),
    (
        "research-sandbox",
        "custom-image-test",
        "CodeEditor",
        "dave",
        False,
        "ml.t3.large",
        True,
        "fails",
        5,
        60,
    ),
    (
        "research-sandbox",
        "research-shared",
        "JupyterLab",
        "carol",
        True,
        "ml.m5.2xlarge",
        True,
        "stopped",
        100,
        1440,
    ),
    (
        "research-sandbox",
        "anomaly-detection",
        "CodeEditor",
        "carol",
        False,
        "ml.c5.large",
        False,
        "running",
        10,
        60,
    ),
    (
        "studio-sso",
        "forecasting-lab",
        "JupyterLab",
        "maria-garcia",
        False,
        "ml.t3.large",
        True,
        "running",
        10,
        120,
    ),
    (
        "studio-sso",
        "demand-forecast",
        "CodeEditor",
        "maria-garcia",
        False,
        "ml.m5.xlarge",
        True,
        "stopped",
        20,
        60,
    ),
    (
        "studio-sso",
        "quick-analysis",
        "JupyterLab",
        "maria-garcia",
        False,
        "ml.t3.medium",
        False,
        "stopped",
        5,
        60,
    ),
    ("studio-sso", "time-series", "CodeEditor", "james-chen", False, "ml.m5.large", True, "running", 10, 240),
    (
        "studio-sso",
        "customer-360",
        "JupyterLab",
        "james-chen",
        False,
        "ml.t3.large",
        False,
        "stopped",
        10,
        60,
    ),
    (
        "studio-sso",
        "team-dashboards",
        "JupyterLab",
        "maria-garcia",
        True,
        "ml.t3.large",
        True,
        "stopped",
        10,
        60,
    ),
    ("eu-analytics", "gdpr-reports", "JupyterLab", "lena", False, "ml.m5.xlarge", True, "running", 20, 120),
    (
        "eu-analytics",
        "eu-sales-forecast",
        "CodeEditor",
        "lena",
        False,
        "ml.t3.medium",
        False,
        "stopped",
        5,
        60,
    ),
    ("eu-analytics", "ab-testing", "JupyterLab", "lena", True, "ml.t3.large", True, "stopped", 10, 60),
    # In eu-west-1, which the TUI shows only when asked (R, --region): a space in transition is
    # polled for as long as it is shown, and this one stays Pending for good.
    (
        "eu-analytics",
        "vision-baseline",
        "JupyterLab",
        "lena",
        False,
        "ml.m5.xlarge",
        True,
        "pending",
        20,
        60,
    ),
    (
        "research-sandbox",
        "gpu-upgrade",
        "CodeEditor",
        "carol",
        False,
        "ml.g5.xlarge",
        True,
        "update_failed",
        30,
        120,
    ),
    (
        "ml-platform",
        "old-experiments",
        "JupyterLab",
        "bob",
        False,
        "ml.m5.large",
        False,
        "delete_failed",
        10,
        60,
    ),
]

SPACE_FAILURES = {
    "update_failed": (
        "Update_Failed",
        "The requested EBS volume size of 30 GB could not be applied: the volume is still being "
        "optimized after a previous modification. Try again in a few hours.",
    ),
    "delete_failed": (
        "Delete_Failed",
        "Unable to delete the space's home directory on the domain's EFS file system. "
        "Check the file system's mount targets, then delete the space again.",
    ),
}

CAPACITY_FAILURE = (
    "Unable to provision requested ML compute capacity due to InsufficientInstanceCapacity error. "
    "Please retry using a different ML instance type or after some time."
)


def populate(account: DemoAccount) -> None:
    by_name = {}
    for index, (region, domain_id, name, auth_mode, idle_max, profiles) in enumerate(_DOMAINS):
        domain = account.add_domain(
            domain_id, name, region, auth_mode=auth_mode, created=_EPOCH + index * _DAY, idle_max=idle_max
        )
        for profile, sso_user in profiles:
            account.add_profile(domain, profile, sso_user=sso_user, created=_EPOCH + index * _DAY + 3600)
        by_name[name] = domain
    for index, row in enumerate(_SPACES):
        domain_name, space_name, app_type, owner, shared, instance, remote, state, storage, idle = row
        created = _EPOCH + 7 * _DAY + index * 3 * 3600
        space = account.add_space(
            by_name[domain_name],
            space_name,
            app_type=app_type,
            owner=owner,
            sharing="Shared" if shared else "Private",
            instance_type=instance,
            remote_access=remote,
            storage_gib=storage,
            idle_minutes=idle,
            created=created,
            fails_on_start=state == "fails",
            display_name=space_name.replace("-", " ").title(),
        )
        if state == "pending":
            space.status = "Pending"  # still being created: no app, no transition due
        elif state in SPACE_FAILURES:
            space.status, space.failure_reason = SPACE_FAILURES[state]
        if state == "running":
            account.put_app(space, status="InService", created=created + 40 * _DAY)
        elif state == "failed":
            account.put_app(
                space, status="Failed", created=created + 40 * _DAY, failure_reason=CAPACITY_FAILURE
            )
        elif state == "stopped" and index % 3 == 0:
            # Real accounts keep Deleted app records around for a while after a stop.
            account.put_app(space, status="Deleted", created=created + 30 * _DAY)
