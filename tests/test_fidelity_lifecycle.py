"""Lifecycle rules as SageMaker has them, and the client against each answer AWS may give.

UpdateSpace and CreateApp on a space that is not InService answer ResourceInUse (botocore's model
lists it for both). Where AWS's answer is not documented (app/demo/variants.py), every test here
runs against both variants: whichever the real service gives, the client copes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sm_spaces.aws.service import SpacesService
from sm_spaces.demo.account import DemoAccount
from sm_spaces.demo.server import DemoServer, ThreadedDemo
from sm_spaces.demo.variants import Variants
from sm_spaces.model import SpaceStatus
from sm_spaces.ui.testing import demo_app, detail_lines, highlight, settle, shown

from tests.demo_service import demo_service

ML, RESEARCH, EU = "d-mlplatf0rm01", "d-research5bx2", "d-euanalyt1cs4"
VARIANTS = {"strict": Variants.all_strict(), "lenient": Variants.all_lenient()}
SM = [sys.executable, "-m", "sm_spaces"]


class Clock:
    """The account's clock, moved by the test: held still (tick 0) a transition stays due, so
    the simulator is caught mid-change; ticking on every read, the change completes as the
    client polls, without a wall-clock wait."""

    def __init__(self) -> None:
        self.now, self.tick = 0.0, 0.0

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


@pytest.fixture(params=sorted(VARIANTS))
async def server(request: pytest.FixtureRequest) -> Any:
    account = DemoAccount.seeded()
    account.clock = Clock()
    async with DemoServer(account, transition_delay=1.0) as srv:
        srv.variants = VARIANTS[request.param]
        yield srv


def clock(server: DemoServer) -> Clock:
    assert isinstance(server.account.clock, Clock)
    return server.account.clock


def service(server: DemoServer) -> SpacesService:
    return demo_service(server, poll_interval=0.01)


def sagemaker(server: DemoServer, region: str | None = None) -> Any:
    """An aiobotocore SageMaker client on `server`, one attempt per call."""
    import aiobotocore.config
    import aiobotocore.session

    c = server.credentials
    return aiobotocore.session.get_session().create_client(
        "sagemaker",
        config=aiobotocore.config.AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}),
        endpoint_url=server.endpoint_url,
        region_name=region or server.region,
        aws_access_key_id=c.access_key,
        aws_secret_access_key=c.secret_key,
        aws_session_token=c.token,
    )


def strict(server: DemoServer) -> bool:
    return server.variants == Variants.all_strict()


# --- what the simulator answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "domain", "space", "app_type"),
    [
        ("eu-west-1", EU, "vision-baseline", "JupyterLab"),
        ("us-east-1", RESEARCH, "gpu-upgrade", "CodeEditor"),
        ("us-east-1", ML, "old-experiments", "JupyterLab"),
    ],
)
async def test_update_and_create_on_a_space_not_in_service_are_resource_in_use(
    server: DemoServer, region: str, domain: str, space: str, app_type: str
) -> None:
    async with sagemaker(server, region) as sm:
        for call in (
            lambda: sm.update_space(
                DomainId=domain, SpaceName=space, SpaceSettings={"RemoteAccess": "ENABLED"}
            ),
            lambda: sm.create_app(DomainId=domain, SpaceName=space, AppType=app_type, AppName="default"),
        ):
            with pytest.raises(ClientError) as caught:
                await call()
            assert caught.value.response["Error"]["Code"] == "ResourceInUse"
            assert f"Space '{space}' is " in caught.value.response["Error"]["Message"]


async def test_each_undocumented_answer_is_the_variant_the_switch_names(
    server: DemoServer,
) -> None:
    refused = strict(server)

    async def outcome(call: Any) -> str:
        try:
            await call
        except ClientError as err:
            return str(err.response["Error"]["Code"])
        return "ok"

    async with sagemaker(server) as sm:
        # RemoteAccess change while the app is Deleting (churn-model runs without remote access).
        await sm.delete_app(DomainId=ML, SpaceName="churn-model", AppType="JupyterLab", AppName="default")
        assert (await sm.describe_app(DomainId=ML, SpaceName="churn-model", AppType="JupyterLab",
                                      AppName="default"))["Status"] == "Deleting"  # fmt: skip
        change = sm.update_space(
            DomainId=ML,
            SpaceName="churn-model",
            SpaceSettings={
                "RemoteAccess": "ENABLED",
                "JupyterLabAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.large"}},
            },
        )
        assert await outcome(change) == ("ValidationException" if refused else "ok")
        # DeleteApp on a Pending app.
        await sm.create_app(
            DomainId=ML, SpaceName="feature-store-dev", AppType="CodeEditor", AppName="default"
        )
        delete = sm.delete_app(
            DomainId=ML, SpaceName="feature-store-dev", AppType="CodeEditor", AppName="default"
        )
        assert await outcome(delete) == ("ResourceInUse" if refused else "ok")
        # CreateApp on a space whose app is Failed (recsys-training's last start failed).
        create = sm.create_app(
            DomainId=ML, SpaceName="recsys-training", AppType="JupyterLab", AppName="default"
        )
        assert await outcome(create) == ("ResourceInUse" if refused else "ok")


# --- the client against both ------------------------------------------------------------------


async def test_remote_access_enabled_on_a_space_that_is_stopping(server: DemoServer) -> None:
    async with service(server) as svc:
        stopping = await svc.stop_space(ML, "churn-model", wait=False)
        assert stopping.status is SpaceStatus.STOPPING and not stopping.remote_access
        clock(server).tick = 0.05  # the app's deletion completes while the client polls
        done = await svc.enable_remote_access(ML, "churn-model", instance_type="ml.t3.large")
    assert done.remote_access and done.instance_type == "ml.t3.large"
    assert done.status is SpaceStatus.STOPPED
    assert server.account.domains[ML].spaces_by_name["churn-model"].remote_access


async def test_a_space_stopped_right_after_its_start(server: DemoServer) -> None:
    async with service(server) as svc:
        starting = await svc.start_space(ML, "feature-store-dev", wait=False)
        assert starting.status is SpaceStatus.STARTING
        clock(server).tick = 0.05
        stopped = await svc.stop_space(ML, "feature-store-dev", wait=True)
    assert stopped.status is SpaceStatus.STOPPED


async def test_a_space_whose_last_start_failed_starts_again(server: DemoServer) -> None:
    clock(server).tick = 0.05
    async with service(server) as svc:
        assert (await svc.describe_space(ML, "recsys-training")).status is SpaceStatus.FAILED
        running = await svc.start_space(ML, "recsys-training", wait=True)
    assert running.status is SpaceStatus.RUNNING


async def test_the_tui_restarts_a_failed_space(server: DemoServer) -> None:
    clock(server).tick = 0.05
    app = demo_app(server)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        highlight(app, "recsys-training")
        await pilot.press("s")
        await settle(pilot)
        assert app.space_tree.highlighted_space is not None
        said = app.notices.text()
    assert "recsys-training is running" in said, said
    space = server.account.domains[ML].spaces_by_name["recsys-training"]
    assert space.app is not None and space.app.status == "InService"


# --- spaces in Pending, Update_Failed, Delete_Failed: what the user sees and can do -----------------


def run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SM, *argv], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_cli_lists_them_by_what_happened(demo_env: dict[str, str]) -> None:
    env = demo_env
    tables = [run(env, *region, "list") for region in ((), ("--region", "eu-west-1"))]
    assert [t.returncode for t in tables] == [0, 0], tables[0].stderr + tables[1].stderr
    rows = {line.split()[2]: line for t in tables for line in t.stdout.splitlines()[1:]}
    assert "  Creating  " in rows["vision-baseline"]
    assert "  Update failed  " in rows["gpu-upgrade"]
    assert "  Delete failed  " in rows["old-experiments"]
    listed = run(env, "list", "--json", "--all-regions")
    statuses = {s["space_name"]: (s["status"], s["space_status"]) for s in json.loads(listed.stdout)}
    assert statuses["vision-baseline"] == ("Creating", "Pending")
    assert statuses["gpu-upgrade"] == ("Failed", "Update_Failed")
    assert statuses["old-experiments"] == ("Failed", "Delete_Failed")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ("--region", "eu-west-1", "start", "vision-baseline"),
            "sm-spaces: vision-baseline is still being created; refresh and use it once it is Stopped",
        ),
        (
            ("start", "gpu-upgrade"),
            "sm-spaces: gpu-upgrade: its last update failed (The requested EBS volume size of 30 GB could "
            "not be applied: the volume is still being optimized after a previous modification. Try again "
            "in a few hours.); it cannot be started until it is fixed in SageMaker Studio (update it "
            "again or delete it)",
        ),
        (
            ("stop", "old-experiments", "--yes"),
            "sm-spaces: old-experiments: deleting the space failed (Unable to delete the space's home "
            "directory on the domain's EFS file system. Check the file system's mount targets, then "
            "delete the space again.); fix the cause, then delete it again "
            "(`sm-spaces delete`, or D in the TUI)",
        ),
        (
            ("connect", "gpu-upgrade", "--", "true"),
            "sm-spaces: gpu-upgrade: its last update failed (The requested EBS volume size of 30 GB could "
            "not be applied: the volume is still being optimized after a previous modification. Try again "
            "in a few hours.); it cannot be started until it is fixed in SageMaker Studio (update it "
            "again or delete it)",
        ),
    ],
)
def test_cli_actions_on_them_say_what_they_need(
    demo_thread: ThreadedDemo, demo_env: dict[str, str], argv: tuple[str, ...], line: str
) -> None:
    before = list(demo_thread.server.answered)
    proc = run(demo_env, *argv)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [line]
    asked = list(demo_thread.server.answered)[len(before) :]
    assert not {"CreateApp", "UpdateSpace", "DeleteApp"} & set(asked)  # nothing was tried in vain


async def test_tui_shows_what_to_do_and_refuses_the_keys(demo: DemoServer) -> None:
    app = demo_app(demo)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        highlight(app, "gpu-upgrade")
        await settle(pilot)
        lines = detail_lines(app)
        for key in ("s", "e", "c"):
            await pilot.press(key)
            await settle(pilot)
        said = app.notices.text()
    # The space being created, in eu-west-1 (the TUI shows it where the user asks for that region).
    app = demo_app(demo, regions=["eu-west-1"])
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        highlight(app, "vision-baseline")
        await pilot.press("s")
        await settle(pilot)
        creating = shown(app)["vision-baseline"]
        said_eu = app.notices.text()
    assert creating == "Creating"
    assert "vision-baseline is still being created; refresh and use it once it is Stopped" in said_eu
    assert demo.account.domains[EU].spaces_by_name["vision-baseline"].app is None  # nothing was created
    rows = {line[:12].strip(): line[13:] for line in lines if line[:12].strip()}
    assert rows["Status"].split() == ["✖", "Failed", "Update_Failed"]
    # The value column wraps at word boundaries: read it as one text.
    what_now = " ".join(
        line[13:].strip() for line in lines[lines.index(next(x for x in lines if x.startswith("What now"))) :]
    )
    assert what_now.startswith(
        "gpu-upgrade: its last update failed (The requested EBS volume size of 30 GB could not be applied"
    ), what_now
    assert said.count("gpu-upgrade: its last update failed") == 3, said
    space = demo.account.domains[RESEARCH].spaces_by_name["gpu-upgrade"]
    assert space.status == "Update_Failed" and space.app is None
