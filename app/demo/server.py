"""The demo endpoint: one aiohttp server on 127.0.0.1 that answers SageMaker (awsJson1.1), SSM's
ResumeSession (awsJson1.1, ssm_api.py) and STS.

Which service a request is for comes from its SigV4 credential scope (`.../sagemaker/...`,
`.../ssm/...` or `.../sts/...`), and so does the region, so one endpoint serves every region as the real ones do.
Requests are handled concurrently: injected latency is an `asyncio.sleep`, never a lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from . import portal, shapes, sigv4, sso_files, sts
from .account import DemoAccount
from .agent_faults import AgentFaults
from .datachannel import DataChannelService
from .faults import ApiError, Faults, access_denied, expired_token
from .hostile_data import HostileData
from .organisation import Organisation, Signer
from .sagemaker_api import HANDLERS, Call, resource_arn
from .sessions import SessionRegistry
from .sigv4 import Credentials
from .ssm_api import HANDLERS as SSM_HANDLERS
from .ssm_api import ResumePolicy
from .sso_files import SsoFiles
from .variants import Variants

JSON_TYPE = "application/x-amz-json-1.1"
_log = logging.getLogger(__name__)
StartHook = Callable[["DemoServer"], Awaitable[None] | None]


# When set to a file name, every answer is checked against botocore's model and each problem is
# appended to that file as a line (tests/conftest.py sets it for the whole suite).
SHAPE_LOG_ENV = "SM_SPACES_DEMO_SHAPE_LOG"


class DemoServer:
    """The simulated account behind a real HTTP endpoint. See DESIGN.md section 2."""

    def __init__(
        self,
        account: DemoAccount | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        transition_delay: float = 0.0,
    ) -> None:
        if host != "127.0.0.1":
            raise ValueError("the demo server listens on 127.0.0.1 only")
        self.account = account or DemoAccount.seeded()
        self.host, self.port = host, port
        self.region = "us-east-1"
        self.credentials = Credentials.random()
        # The seeded account is one of an organisation's three, behind a simulated Identity Center.
        self.org = Organisation(self.account)
        self.transition_delay = transition_delay
        self.sso_files: SsoFiles | None = None  # the demo's AWS config and SSO token, from start()
        self.faults = Faults()
        self.variants = Variants()  # AWS's undocumented answers: which one this server gives
        self.sessions = SessionRegistry()
        self.resume = ResumePolicy()  # how ResumeSession answers (honoured unless tests refuse it)
        self.web_app = web.Application()
        self.web_app.router.add_post("/", self._handle)
        portal.add_routes(self.web_app, self.org, self._portal_answered)
        # The SSM side: StartSession's StreamUrl points back at this server's data-channel route,
        # behind which each space's SSH host runs in-process (no listening port of its own).
        from .space_host import SpaceHosts  # asyncssh: imported only with the demo

        self.hosts = SpaceHosts()
        self.agent = DataChannelService(self.sessions, self.hosts.open_port, AgentFaults())
        self.agent.add_routes(self.web_app)
        self.on_start: list[StartHook] = []  # run before the router freezes, e.g. to add routes
        self.hostile: HostileData | None = None  # set by hostile_data.install: a hostile endpoint
        self._runner: web.AppRunner | None = None
        # Requests being handled now, and the most at once: shows that latency overlaps (benchmarks).
        self.in_flight = 0
        self.peak_in_flight = 0
        # The operations answered most recently, in the order their answers left: shows what a
        # client asked before what (tests).
        self.answered: deque[str] = deque(maxlen=1000)
        # Answers outside botocore's model (checked only with SM_SPACES_DEMO_SHAPE_LOG set).
        self.shape_log = os.environ.get(SHAPE_LOG_ENV) or None
        self.shape_problems: list[str] = []

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def transition_delay(self) -> float:
        return self.account.transition_delay

    @transition_delay.setter
    def transition_delay(self, seconds: float) -> None:
        for state in self.org.states:
            state.transition_delay = seconds

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Add routes (e.g. the data-channel websocket); only before start()."""
        if self._runner is not None:
            raise RuntimeError("routes must be added before the demo server starts")
        self.web_app.add_routes(routes)

    async def start(self) -> None:
        shapes.model()  # load botocore's models now, not on the first request
        shapes.model("ssm")
        for hook in self.on_start:
            result = hook(self)
            if result is not None:
                await result
        self._runner = web.AppRunner(self.web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.sso_files = sso_files.write(self.org, self.region)

    async def stop(self) -> None:
        if self._runner is not None:
            self.agent.cut_connections()
            await self.agent.close()  # sessions waiting to be resumed end with the server
            await self._runner.cleanup()
            self._runner = None
        await self.hosts.close()
        if self.sso_files is not None:
            self.sso_files.remove()
            self.sso_files = None

    async def __aenter__(self) -> DemoServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment under which any AWS SDK or CLI talks to this server."""
        env = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ENDPOINT_URL_SAGEMAKER": self.endpoint_url,
            "AWS_ENDPOINT_URL_STS": self.endpoint_url,
            "AWS_ENDPOINT_URL_SSM": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.credentials.access_key,
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }
        if self.credentials.token:
            env["AWS_SESSION_TOKEN"] = self.credentials.token
        return env

    def start_in_thread(self) -> ThreadedDemo:
        """Run the server on its own event loop in a daemon thread (for the CLI and subprocess tests)."""
        return ThreadedDemo(self)

    # --- requests -------------------------------------------------------------------------------

    def _portal_answered(self, op: str) -> None:
        self.answered.append(op)

    async def _handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        body = await request.read()
        target = request.headers.get("X-Amz-Target", "")
        claimed = sigv4.parse_scope(request.headers.get("Authorization"))
        is_sts = claimed.service == "sts" if claimed else not target
        op = target.partition(".")[2] if target else sts.action_of(body)[0]
        # The call's work is done on arrival and the injected latency delays the answer, as if the
        # whole round trip's delay lay on the way back. Sleeping first would wake every call of a
        # concurrent burst at once and then do their work one after another in this one process,
        # adding every other call's CPU (BENCHMARKS.md, "Listing") to each: an artefact of simulating
        # a fleet of servers in one Python process, which the sequential Toolkit-order baseline would
        # hardly pay.
        response = self._respond(request, body, target, claimed, is_sts, op)
        if self.shape_log:
            self._check_answer(op, is_sts, response, claimed.service if claimed else "sagemaker")
        delay = self.faults.delay_for(op)
        if delay > 0:
            await asyncio.sleep(delay)
        self.answered.append(op)
        return response

    def _respond(
        self,
        request: web.Request,
        body: bytes,
        target: str,
        claimed: sigv4.Scope | None,
        is_sts: bool,
        op: str,
    ) -> web.Response:
        try:
            # The access key says whose keys these are, and so which account is asked (sigv4.py
            # refuses an unknown key as AWS does, through the seeded account's own keys).
            # Any key but a role's is checked against the seeded account's IAM user's (which tests
            # may replace on the server).
            signer = (self.org.signer(claimed.access_key) if claimed else None) or Signer(
                self.account.account_id, None, self.credentials, float("inf")
            )
            scope = sigv4.verify(request.method, request.raw_path, request.headers, body, signer.credentials)
            if self.faults.expired or signer.expires <= time.time():
                raise expired_token()
            account = self.org.accounts[signer.account_id].state
            if is_sts:
                return sts.handle(account, body, signer.caller_arn(account), signer.caller_user_id(account))
            return self._sagemaker(scope, target, op, body, account, signer)
        except ApiError as error:
            return sts.error_response(error) if is_sts else _json_error(error)
        except Exception:  # a bug in the simulator: answer as AWS would, keep the trace in the log
            _log.exception("demo server failed on %s", op)
            failure = ApiError(
                "InternalFailure", "The request processing has failed because of an unknown error.", 500
            )
            return sts.error_response(failure) if is_sts else _json_error(failure)

    def _check_answer(self, op: str, is_sts: bool, response: web.Response, service: str) -> None:
        raw = response.body if isinstance(response.body, bytes) else b""
        if is_sts:
            problems = shapes.sts_problems(response.status, raw)
        else:
            try:
                problems = shapes.answer_problems(op, response.status, json.loads(raw), service)
            except ValueError:
                problems = ["answer is not JSON"]
        if problems and self.shape_log:
            lines = [f"{op or 'unknown operation'}: {problem}" for problem in problems]
            self.shape_problems += lines
            with open(self.shape_log, "a", encoding="utf-8") as log:
                log.write("".join(line + "\n" for line in lines))

    def _sagemaker(
        self, scope: sigv4.Scope, target: str, op: str, body: bytes, account: DemoAccount, signer: Signer
    ) -> web.Response:
        if scope.service == "ssm" and target.startswith("AmazonSSM.") and op in SSM_HANDLERS:
            return self._ssm(scope, op, body, account)
        if scope.service != "sagemaker" or not target.startswith("SageMaker.") or op not in HANDLERS:
            raise ApiError("UnknownOperationException", f"Unknown operation {target[:80]!r}")
        params = _params(body, op, "sagemaker", frozenset(self.faults.withdrawn_enum_values))
        if self.hostile is not None:
            self.hostile.check(op, params)
        injected = self.faults.over_rate(op) or self.faults.injected_error(op)
        if injected is not None:
            raise injected
        call = Call(account, scope.region, self.sessions, self.ws_base_url, self.faults, self.variants)
        if op in self.faults.deny or not self.org.may_use_sagemaker(signer):
            raise access_denied(signer.caller_arn(account), op, resource_arn(call, op, params))
        answer = HANDLERS[op](call, params)
        return _json_answer(answer)

    def _ssm(self, scope: sigv4.Scope, op: str, body: bytes, account: DemoAccount) -> web.Response:
        params = _params(body, op, "ssm")
        call = Call(account, scope.region, self.sessions, self.ws_base_url, self.faults, self.variants)
        return _json_answer(SSM_HANDLERS[op](call, params, self.resume))


_COMPACT = (",", ":")  # as AWS sends its JSON: no spaces


def _params(body: bytes, op: str, service: str, withdrawn: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The request's parameters, checked as AWS checks them against botocore's input shape."""
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        raise ApiError("SerializationException", "Request body is not valid JSON.") from None
    shapes.check_request(op, params, service, withdrawn)  # refuses anything but a JSON object, too
    return params  # checked to be a JSON object above


def _json_answer(answer: object) -> web.Response:
    return web.Response(
        body=json.dumps(answer, separators=_COMPACT).encode(),
        content_type=JSON_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


def _json_error(error: ApiError) -> web.Response:
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return web.Response(
        status=error.status,
        body=body,
        content_type=JSON_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4()), "x-amzn-ErrorType": error.code},
    )


class ThreadedDemo:
    """A DemoServer running on a background thread's loop; `stop()` ends both."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sm-spaces-demo", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.start())
        except BaseException as error:  # reported to the starting thread
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.server.stop())
        self.loop.close()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(30)

    def __enter__(self) -> ThreadedDemo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
