"""A data-channel agent and space host on 127.0.0.1 for the test_ssm_* files (no SageMaker API)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncssh
from sm_spaces.demo.agent_faults import AgentFaults
from sm_spaces.demo.datachannel import DataChannelService
from sm_spaces.demo.sessions import DemoSession, SessionRegistry
from sm_spaces.demo.space_host import SpaceHosts
from sm_spaces.ssm.channel import DataChannel
from sm_spaces.ssm.tunnel import ChannelTunnel

SPACE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/my-space"


@dataclass
class Agent:
    registry: SessionRegistry
    service: DataChannelService
    hosts: SpaceHosts
    ws_base: str

    @property
    def faults(self) -> AgentFaults:
        return self.service.faults

    def start_session(self, port: int = 22) -> tuple[DemoSession, str]:
        session = self.registry.create(SPACE_ARN, port=port)
        return session, self.registry.stream_url(self.ws_base, session)

    def open_channel(self, port: int = 22, **options):
        session, url = self.start_session(port)
        return DataChannel.connect(url, session.token, **options)

    def ssh(self, **options) -> asyncssh.misc.async_context_manager:
        return asyncssh.connect(
            "my-space",
            tunnel=ChannelTunnel(self.open_channel),
            username="sagemaker-user",
            known_hosts=None,
            client_keys=None,
            agent_path=None,
            config=None,
            **options,
        )


@contextlib.asynccontextmanager
async def running_agent() -> AsyncIterator[Agent]:
    registry = SessionRegistry()
    hosts = SpaceHosts()
    service = DataChannelService(registry, hosts.open_port, AgentFaults(seed=7))
    runner, base = await service.serve_loopback()
    try:
        yield Agent(registry, service, hosts, base)
    finally:
        await runner.cleanup()
        await hosts.close()
