"""`n` new space, `E` edit, `D` delete in the TUI, driven by the pilot against the simulator over
HTTP, with a foreign client (plain botocore) checking what SageMaker holds afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sm_spaces.demo.server import DemoServer, ThreadedDemo
from sm_spaces.demo.variants import Variants
from sm_spaces.ui.screens.confirm import ConfirmScreen
from sm_spaces.ui.screens.delete_space import DeleteSpaceScreen
from sm_spaces.ui.screens.edit_space import EditSpaceScreen
from sm_spaces.ui.screens.new_space import NewSpaceScreen
from sm_spaces.ui.testing import demo_app, highlight, said, settle, shown, wait_until
from textual.widgets import Input, Select

SIZE = (150, 45)
ML = "d-mlplatf0rm01"


@pytest.fixture
def threaded(demo_thread: ThreadedDemo) -> DemoServer:
    return demo_thread.server


async def _type(pilot: Any, widget_id: str, text: str) -> None:
    field = pilot.app.screen.query_one(widget_id, Input)
    field.value = text
    await pilot.pause()


@asynccontextmanager
async def _dialog(server: DemoServer, space: str, key: str, screen: type) -> AsyncIterator[tuple[Any, Any]]:
    """(app, pilot): the TUI on `server`, its listing settled, `key` pressed on `space` and `screen` open."""
    app = demo_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, space)
        await pilot.press(key)
        assert await wait_until(pilot, lambda: isinstance(app.screen, screen))
        await pilot.pause()
        yield app, pilot


async def _resize_to_2xlarge(pilot: Any) -> None:
    """Submit the edit form with a larger instance type: a running space asks before it restarts."""
    await _type(pilot, "#edit-instance", "ml.m5.2xlarge")
    await pilot.press("enter")
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))


async def test_n_creates_a_space_a_foreign_client_sees(
    threaded: DemoServer, make_botocore_client: Any
) -> None:
    # fraud-detection is a space of ml-platform: the new space goes in its domain.
    async with _dialog(threaded, "fraud-detection", "n", NewSpaceScreen) as (app, pilot):
        form = app.screen
        assert "New space in ml-platform" in str(form.query_one("#dialog-title").render())
        # A name already taken in the domain is refused in the form, before any call.
        await _type(pilot, "#new-name", "fraud-detection")
        form.query_one("#new-owner", Select).value = "bob"
        await pilot.press("enter")
        assert "ml-platform already has a space called fraud-detection" in str(
            form.query_one("#form-error").render()
        )
        await _type(pilot, "#new-name", "pilot-lab")
        form.query_one("#new-app-type", Select).value = "CodeEditor"
        await _type(pilot, "#new-instance", "ml.m5.large")
        await _type(pilot, "#new-storage", "15")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "pilot-lab" in shown(app))
        await settle(pilot)
        assert shown(app)["pilot-lab"] == "Stopped"
        assert app.space_tree.highlighted_space is not None
        assert app.space_tree.highlighted_space.name == "pilot-lab"  # the cursor moved to it
    desc = make_botocore_client(threaded).describe_space(DomainId=ML, SpaceName="pilot-lab")
    assert desc["OwnershipSettings"]["OwnerUserProfileName"] == "bob"
    assert desc["SpaceSettings"]["AppType"] == "CodeEditor"
    assert desc["SpaceSettings"]["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 15
    assert (
        desc["SpaceSettings"]["CodeEditorAppSettings"]["DefaultResourceSpec"]["InstanceType"] == "ml.m5.large"
    )


async def test_an_aws_refusal_is_one_line(threaded: DemoServer) -> None:
    threaded.faults.spaces_per_domain = len(threaded.account.domains[ML].spaces)
    async with _dialog(threaded, "fraud-detection", "n", NewSpaceScreen) as (app, pilot):
        await _type(pilot, "#new-name", "one-too-many")
        app.screen.query_one("#new-owner", Select).value = "alice"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "CreateSpace reached a limit" in said(app))
        assert "one-too-many" not in shown(app)


@pytest.mark.parametrize("variant", ["refuse", "allow"])
async def test_d_deletes_only_once_the_name_is_typed(
    threaded: DemoServer, make_botocore_client: Any, variant: str
) -> None:
    threaded.variants = Variants.all_strict() if variant == "refuse" else Variants.all_lenient()
    async with _dialog(threaded, "llm-finetune", "D", DeleteSpaceScreen) as (app, pilot):  # a running space
        body = str(app.screen.query_one("#dialog-body").render())
        assert "it is stopped first" in body and "100 GiB volume" in body
        await _type(pilot, "#delete-name", "llm-finetun")
        await pilot.press("enter")  # not the name: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, DeleteSpaceScreen)
        await _type(pilot, "#delete-name", "llm-finetune")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "llm-finetune" not in shown(app))
        assert "llm-finetune is deleted" in said(app)
    sm = make_botocore_client(threaded)
    with pytest.raises(ClientError) as gone:
        sm.describe_space(DomainId=ML, SpaceName="llm-finetune")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


async def test_d_then_escape_keeps_the_space(threaded: DemoServer) -> None:
    async with _dialog(threaded, "feature-store-dev", "D", DeleteSpaceScreen) as (app, pilot):
        await pilot.press("escape")
        await settle(pilot)
        assert "feature-store-dev" in shown(app)


async def test_e_edits_and_a_running_space_restarts_only_after_asking(
    threaded: DemoServer, make_botocore_client: Any
) -> None:
    async with _dialog(threaded, "fraud-detection", "E", EditSpaceScreen) as (app, pilot):
        assert app.screen.query_one("#edit-instance", Input).value == "ml.m5.xlarge"
        await _type(pilot, "#edit-storage", "5")
        await pilot.press("enter")
        assert "storage cannot shrink below 20 GiB" in str(app.screen.query_one("#form-error").render())
        await _type(pilot, "#edit-storage", "30")
        await _resize_to_2xlarge(pilot)
        assert "takes a restart" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("y")
        assert await wait_until(pilot, lambda: "fraud-detection: instance type" in said(app))
        await settle(pilot)
        assert shown(app)["fraud-detection"] == "Running"
    sm = make_botocore_client(threaded)
    settings = sm.describe_space(DomainId=ML, SpaceName="fraud-detection")["SpaceSettings"]
    assert settings["SpaceStorageSettings"]["EbsStorageSettings"]["EbsVolumeSizeInGb"] == 30
    apps = sm.list_apps(DomainIdEquals=ML, SpaceNameEquals="fraud-detection")["Apps"]
    assert [a["ResourceSpec"]["InstanceType"] for a in apps if a["Status"] == "InService"] == [
        "ml.m5.2xlarge"
    ]


async def test_e_on_a_running_space_declined_changes_nothing(
    threaded: DemoServer, make_botocore_client: Any
) -> None:
    async with _dialog(threaded, "fraud-detection", "E", EditSpaceScreen) as (_, pilot):
        await _resize_to_2xlarge(pilot)
        await pilot.press("n")
        await settle(pilot)
    settings = make_botocore_client(threaded).describe_space(DomainId=ML, SpaceName="fraud-detection")
    assert (
        settings["SpaceSettings"]["JupyterLabAppSettings"]["DefaultResourceSpec"]["InstanceType"]
        == "ml.m5.xlarge"
    )


async def test_readonly_refuses_create_edit_and_delete_with_a_line(threaded: DemoServer) -> None:
    app = demo_app(threaded, readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        highlight(app, "fraud-detection")
        for key, word in (("n", "new space"), ("E", "edit"), ("D", "delete")):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (NewSpaceScreen, EditSpaceScreen, DeleteSpaceScreen))
            assert f"read-only mode: {word} is off" in said(app)
