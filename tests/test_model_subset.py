"""The service models cut to the operations we call (app/aws/model_subset.py)."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import botocore.session
import pytest
from botocore.loaders import Loader
from sm_spaces.aws import model_subset
from sm_spaces.aws.clients import AwsSession

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.fixture(autouse=True)
def cache(own_dirs, monkeypatch):
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    return own_dirs.cache


def test_every_operation_the_program_names_is_in_the_cut():
    """A new call to an operation left out of OPERATIONS would find no method on the client."""
    session = botocore.session.get_session()
    named: dict[str, set[str]] = {service: set() for service in model_subset.OPERATIONS}
    for service, found in named.items():
        operations = set(session.get_service_model(service).operation_names)
        for path in APP.rglob("*.py"):
            if "demo" in path.relative_to(APP).parts:  # the simulator serves with botocore's whole model
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and node.value in operations:
                    found.add(node.value)
    for service, names in named.items():
        assert names, service  # the walk found the calls at all
        assert names <= model_subset.OPERATIONS[service], (service, names - model_subset.OPERATIONS[service])


@pytest.mark.parametrize("service", sorted(model_subset.OPERATIONS))
def test_the_cut_keeps_every_shape_as_botocore_has_it(service, cache):
    whole_session = botocore.session.Session()
    whole = whole_session.get_service_model(service)
    cut_session = botocore.session.Session()
    model_subset.use_cut_models(cut_session)
    cut = cut_session.get_service_model(service)
    assert set(cut.operation_names) == model_subset.OPERATIONS[service] & set(whole.operation_names)
    assert len(cut.operation_names) < len(whole.operation_names) // 5

    def same(a, b, seen):  # shapes compared member by member, as botocore serialises and parses them
        if a is None or b is None:
            return a is b
        if a.name in seen:
            return True
        seen.add(a.name)
        assert (a.name, a.type_name, a.metadata, a.serialization, getattr(a, "enum", None)) == (
            b.name,
            b.type_name,
            b.metadata,
            b.serialization,
            getattr(b, "enum", None),
        )
        if a.type_name == "structure":
            assert list(a.members) == list(b.members) and a.required_members == b.required_members
            return all(same(a.members[m], b.members[m], seen) for m in a.members)
        if a.type_name == "list":
            return same(a.member, b.member, seen)
        if a.type_name == "map":
            return same(a.key, b.key, seen) and same(a.value, b.value, seen)
        return True

    for name in cut.operation_names:
        op, original = cut.operation_model(name), whole.operation_model(name)
        assert op.http == original.http and op.metadata == original.metadata
        assert same(op.input_shape, original.input_shape, set())
        assert same(op.output_shape, original.output_shape, set())
        assert [e.name for e in op.error_shapes] == [e.name for e in original.error_shapes]
    for name in model_subset.EXTRA_SHAPES.get(service, ()):
        assert same(cut.shape_for(name), whole.shape_for(name), set())


async def test_our_clients_read_the_cut_from_our_cache(cache):
    session = AwsSession(credentials=("AKIDEXAMPLE", "secret", None))
    loader = session.botocore.get_component("data_loader")
    _, path = loader.load_data_with_path(
        f"sagemaker/{loader.determine_latest_version('sagemaker', 'service-2')}/service-2"
    )
    assert Path(path).is_relative_to(cache)
    model = await session.botocore.get_service_model("sagemaker")
    assert "ListSpaces" in model.operation_names and "CreateTrainingJob" not in model.operation_names


def test_a_damaged_cut_is_written_again(cache):
    model_subset.use_cut_models(botocore.session.Session())
    (written,) = cache.rglob("sagemaker/*/service-2.json")
    written.write_text('{"operations": {"ListSp')  # truncated by a crash, or by hand
    session = botocore.session.Session()
    model_subset.use_cut_models(session)
    assert "ListSpaces" in session.get_service_model("sagemaker").operation_names
    assert json.loads(written.read_text())["operations"]


def test_a_cache_out_of_reach_leaves_botocore_its_own_model(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("SM_SPACES_CACHE_DIR", str(blocked))
    session = botocore.session.Session()
    model_subset.use_cut_models(session)
    assert "CreateTrainingJob" in session.get_service_model("sagemaker").operation_names
    assert blocked.read_text() == "a file where the cache folder would be"


def test_a_model_of_the_users_own_on_aws_data_path_wins(tmp_path, monkeypatch):
    builtin = Loader()
    name = f"sagemaker/{builtin.determine_latest_version('sagemaker', 'service-2')}/service-2"
    own = builtin.load_data(name)
    own["operations"] = {"ListSpaces": own["operations"]["ListSpaces"]}
    target = tmp_path / "models" / f"{name}.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(own))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models") + os.pathsep + str(tmp_path / "nowhere"))
    session = botocore.session.Session()
    model_subset.use_cut_models(session)
    assert session.get_service_model("sagemaker").operation_names == ["ListSpaces"]
