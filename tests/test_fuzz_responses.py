"""Fuzzing what SageMaker answers: missing, extra and mistyped fields never crash us.

Two layers:
- the parse functions (app/aws/parse.py) fed arbitrary JSON-like dicts: they return a model object
  or raise ResponseError, nothing else;
- end to end: real aiobotocore talks through a proxy on 127.0.0.1 that forwards every call to the
  simulated account and mutates the JSON answers (deletes a field, adds one, or swaps a value for
  one of another type). Listing, describing and StartSession then either work, with well-typed
  results, or fail with an AwsError carrying one readable line — never KeyError, TypeError,
  AttributeError or a traceback, and never a message that blames the network for a bad answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sm_spaces.aws import parse
from sm_spaces.aws.errors import AwsError
from sm_spaces.aws.parse import ResponseError
from sm_spaces.demo.server import DemoServer
from sm_spaces.model import Domain, Space, SpaceStatus

from tests.reliability_log import Counter

# --- values of every JSON type -------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "InService", "JupyterLab", "ENABLED", "arn:aws:x", "d-1"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)

FIELDS = [
    "DomainId",
    "DomainName",
    "DomainArn",
    "Status",
    "AuthMode",
    "UserProfileName",
    "SingleSignOnUserValue",
    "AppType",
    "SpaceName",
    "AppName",
    "ResourceSpec",
    "InstanceType",
    "SpaceSettingsSummary",
    "SpaceSettings",
    "RemoteAccess",
    "SpaceStorageSettings",
    "EbsStorageSettings",
    "EbsVolumeSizeInGb",
    "OwnershipSettingsSummary",
    "OwnerUserProfileName",
    "SpaceSharingSettingsSummary",
    "SharingType",
    "LastModifiedTime",
    "SpaceDisplayName",
    "JupyterLabAppSettings",
    "DefaultResourceSpec",
    "AppLifecycleManagement",
    "IdleSettings",
    "IdleTimeoutInMinutes",
    "MinIdleTimeoutInMinutes",
    "MaxIdleTimeoutInMinutes",
    "SageMakerImageArn",
    "SpaceArn",
]
# Dicts whose keys are mostly the ones the parser looks for, nested the way SageMaker nests them.
api_like = st.recursive(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), scalars, max_size=8),
    lambda inner: st.dictionaries(st.sampled_from(FIELDS), inner | scalars, max_size=8),
    max_leaves=20,
)
DOMAIN = Domain(
    "d-fuzz00000001", "fuzz", "us-east-1", "InService", "IAM", "arn:aws:sagemaker:us-east-1:1:domain/d"
)


def _parse_everything(item: dict) -> None:
    for call in (
        lambda: parse.domain(item, "us-east-1"),
        lambda: parse.user_profile(item),
        lambda: parse.app(item),
        lambda: parse.space_summary(item, DOMAIN, "123456789012", "aws", parse.app(item)),
        lambda: parse.space_detail(item, DOMAIN, "123456789012", "aws", parse.app(item)),
        lambda: parse.app_settings(item),
        lambda: parse.idle_bounds(item, item.get("SpaceSettings"), app_type="JupyterLab"),
        lambda: parse.arn_account(item.get("SpaceArn") if isinstance(item.get("SpaceArn"), str) else None),
    ):
        try:
            result = call()
        except ResponseError as err:
            assert "\n" not in str(err) and str(err).startswith("SageMaker returned")
            continue
        if isinstance(result, Space):
            assert isinstance(result.name, str) and result.name
            assert isinstance(result.status, SpaceStatus)  # derivable from whatever was there
            assert result.storage_gib is None or type(result.storage_gib) is int


def _check_parsers(examples: int, name: str) -> None:
    counter = Counter(name)

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(api_like)
    def run(item: dict) -> None:
        counter()
        _parse_everything(item)

    run()
    counter.done(functions=8)


def test_parse_functions_take_any_json_shape() -> None:
    _check_parsers(400, "fuzz.parse_functions")


@pytest.mark.fuzz
def test_parse_functions_fuzz() -> None:
    _check_parsers(20_000, "fuzz.parse_functions.long")


# --- end to end through a mutating proxy ---------------------------------------------------------

# One mutation: (operation it applies to, which node of the answer, what to do, the new value).
ACTIONS = ("delete", "replace", "add")
OPERATIONS = (
    "ListDomains",
    "ListSpaces",
    "ListApps",
    "ListUserProfiles",
    "DescribeSpace",
    "DescribeDomain",
    "StartSession",
    "*",
)
mutations = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10_000), st.sampled_from(ACTIONS), json_values),
    min_size=1,
    max_size=4,
)


def _nodes(tree: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every (container path, key) in a JSON tree, depth first."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield (*path, key)
            yield from _nodes(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield (*path, index)
            yield from _nodes(value, (*path, index))


def mutate(answer: Any, action: str, pick: int | str, value: Any) -> Any:
    if isinstance(pick, str):  # every field of that name (the regression cases below)
        for path in [p for p in _nodes(answer) if p[-1] == pick]:
            parent = answer
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
        return answer
    nodes = list(_nodes(answer))
    if not nodes:
        return value if action == "replace" else answer
    path = nodes[pick % len(nodes)]
    parent = answer
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    else:
        target = parent[last]
        if isinstance(target, dict):
            target[f"Extra{pick}"] = value
        elif isinstance(target, list):
            target.append(value)
        else:
            parent[last] = [target, value]
    return answer


class MutatingProxy:
    """Forwards SageMaker calls to the demo server and mutates the answers named in `self.plan`."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.plan: list[tuple[str, int, str, Any]] = []
        self.mutated = 0
        self.port = 0
        self._session: ClientSession | None = None  # made on the serving loop, on first use

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        keep = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("content-length", "transfer-encoding")
        }
        if self._session is None:
            self._session = ClientSession(auto_decompress=False)
        async with self._session.post(self.upstream + "/", data=body, headers=keep) as rsp:
            status, data, ctype = rsp.status, await rsp.read(), rsp.headers.get("Content-Type", "")
        op = request.headers.get("X-Amz-Target", "").partition(".")[2]
        plan = [m for m in self.plan if m[0] in (op, "*")]
        if plan and status == 200 and "json" in ctype:
            answer = json.loads(data)
            for _, pick, action, value in plan:
                answer = mutate(answer, action, pick, value)
            data = json.dumps(answer).encode()
            self.mutated += 1
        return web.Response(status=status, body=data, headers={"Content-Type": ctype or "text/plain"})


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[DemoServer, MutatingProxy, asyncio.AbstractEventLoop]]:
    handle = DemoServer(transition_delay=0.0).start_in_thread()
    proxy = MutatingProxy(handle.server.endpoint_url)

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/", proxy.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        proxy.port = runner.addresses[0][1]
        return runner

    runner = asyncio.run_coroutine_threadsafe(serve(), handle.loop).result(30)
    client_loop = asyncio.new_event_loop()
    try:
        yield handle.server, proxy, client_loop
    finally:
        client_loop.close()
        asyncio.run_coroutine_threadsafe(runner.cleanup(), handle.loop).result(30)
        asyncio.run_coroutine_threadsafe(proxy.close(), handle.loop).result(30)
        handle.stop()


ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-mlplatf0rm01/fraud-detection"


def _service(server: DemoServer, url: str) -> Any:
    from sm_spaces.aws.service import SpacesService

    c = server.credentials
    svc = SpacesService(
        region=server.region,
        endpoint_url=url,
        credentials=(c.access_key, c.secret_key, c.token),
        poll_interval=0.0,
        connect_timeout=5,
        read_timeout=10,
    )
    return svc


async def _exercise(svc: Any) -> list[str]:
    """List, describe and start a session; the outcome of each step."""
    svc._domains.clear()  # so DescribeDomain is asked (and mutated) on every example
    outcomes = []
    for step in (
        svc.list_all,
        lambda: svc.describe_space("d-mlplatf0rm01", "fraud-detection"),
        lambda: svc.start_session(ARN),
    ):
        try:
            result = await step()
        except AwsError as err:  # ResponseError is one too
            _check_message(err)
            outcomes.append(f"{type(err).__name__}:{err.kind}")
            continue
        _check_result(result)
        outcomes.append("ok")
    return outcomes


def _check_message(err: AwsError) -> None:
    text = str(err)
    assert text and "\n" not in text and len(text) <= 600
    assert "Traceback" not in text
    # Python's own wording of a parse failure ("AttributeError: 'list' object has no attribute 'get'",
    # "Invalid timestamp {...}") tells a person nothing: the message names the call instead.
    assert not text.startswith(("AttributeError", "TypeError", "KeyError", "ValueError", "IndexError")), text
    assert "Invalid timestamp" not in text, text
    # A readable answer that is malformed is not a network problem.
    assert err.kind != "endpoint", text


def _check_result(result: Any) -> None:
    spaces = getattr(result, "spaces", None)
    for space in spaces if spaces is not None else ([result] if isinstance(result, Space) else []):
        assert isinstance(space.name, str) and isinstance(space.domain_id, str)
        assert space.status.value  # derivation never fails
        assert space.alias.startswith("sm-")
    if hasattr(result, "token"):
        assert all(isinstance(v, str) for v in (result.session_id, result.stream_url, result.token))


def _check_end_to_end(proxied: Any, examples: int, name: str) -> None:
    server, proxy, loop = proxied
    counter = Counter(name)
    outcomes: dict[str, int] = {}
    svc = _service(server, f"http://127.0.0.1:{proxy.port}")

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=examples < 1000,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(mutations)
    def run(plan: list) -> None:
        counter()
        proxy.plan = plan
        for outcome in loop.run_until_complete(_exercise(svc)):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    try:
        run()
    finally:
        proxy.plan = []
        loop.run_until_complete(svc.aclose())
    counter.done(mutated_answers=proxy.mutated, outcomes=outcomes)
    assert proxy.mutated > 0 and outcomes.get("ok", 0) > 0


def test_mutated_answers_end_to_end(proxied: Any) -> None:
    _check_end_to_end(proxied, 60, "fuzz.responses_end_to_end")


@pytest.mark.fuzz
def test_mutated_answers_end_to_end_fuzz(proxied: Any) -> None:
    _check_end_to_end(proxied, 2_000, "fuzz.responses_end_to_end.long")


def test_the_proxy_is_transparent_without_a_plan(proxied: Any) -> None:
    server, proxy, loop = proxied
    proxy.plan = []
    svc = _service(server, f"http://127.0.0.1:{proxy.port}")
    try:
        assert loop.run_until_complete(_exercise(svc)) == ["ok", "ok", "ok"]
    finally:
        loop.run_until_complete(svc.aclose())


@pytest.mark.parametrize(
    "plan",
    [
        [
            ("ListSpaces", "LastModifiedTime", "replace", 2**62)
        ],  # out of datetime's range: once read as OSError
        [("ListDomains", "Domains", "replace", "not-a-list")],
        [("ListApps", "Apps", "replace", [["nested"]])],
        [("StartSession", "TokenValue", "replace", None)],
        [("StartSession", "SessionId", "replace", [])],
        [("DescribeSpace", "SpaceSettings", "replace", 7)],
    ],
    ids=[
        "huge-timestamp",
        "domains-string",
        "apps-nested-list",
        "no-token",
        "session-id-list",
        "settings-int",
    ],
)
def test_known_malformed_answers(proxied: Any, plan: list) -> None:
    server, proxy, loop = proxied
    proxy.plan = plan
    svc = _service(server, f"http://127.0.0.1:{proxy.port}")
    try:
        outcomes = loop.run_until_complete(_exercise(svc))
    finally:
        proxy.plan = []
        loop.run_until_complete(svc.aclose())
    assert len(outcomes) == 3


# --- error answers with odd bodies ---------------------------------------------------------------

error_bodies = st.one_of(
    st.binary(max_size=64),
    st.builds(lambda t, m: json.dumps({"__type": t, "message": m}).encode(), json_values, json_values),
    st.builds(
        lambda d: json.dumps(d).encode(), st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    ),
)


def test_odd_error_answers_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # One attempt per call, set as a user would: retries would repeat the same answer.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    answer: dict[str, Any] = {}
    counter = Counter("fuzz.error_answers")
    kinds: dict[str, int] = {}

    async def reply(request: web.Request) -> web.Response:
        return web.Response(
            status=answer["status"], body=answer["body"], content_type="application/x-amz-json-1.1"
        )

    async def serve() -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_post("/", reply)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"

    loop = asyncio.new_event_loop()
    runner, url = loop.run_until_complete(serve())
    from sm_spaces.aws.service import SpacesService

    svc = SpacesService(
        region="us-east-1",
        endpoint_url=url,
        credentials=("AKIDFUZZ", "s" * 40, None),
        connect_timeout=2,
        read_timeout=5,
    )

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(st.sampled_from([400, 403, 404, 429, 500, 502, 503]), error_bodies)
    def run(status: int, body: bytes) -> None:
        counter()
        answer.update(status=status, body=body)
        with pytest.raises(AwsError) as err:
            loop.run_until_complete(svc.call("ListDomains"))
        text = str(err.value)
        assert text and "\n" not in text and "Traceback" not in text and len(text) <= 600
        kinds[err.value.kind] = kinds.get(err.value.kind, 0) + 1

    try:
        run()
    finally:
        loop.run_until_complete(svc.aclose())
        loop.run_until_complete(runner.cleanup())
        loop.close()
    counter.done(kinds=kinds)
