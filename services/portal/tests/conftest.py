"""Fixtures: the portal wired to the fake downstream app, and logged-in clients."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from portal_service.api import create_api
from portal_service.clients import SERVICES, Downstream
from portal_service.settings import PortalSettings

from portal_fakes import FakeState, build_fake
from portal_testkit import log_in

BASE_URL = "http://portal.test"


@pytest.fixture
def fake() -> FakeState:
    return FakeState()


@pytest.fixture
async def portal(fake: FakeState, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous browser talking to a portal whose services are the fake app."""
    settings = PortalSettings(environment="test", data_dir=tmp_path, session_idle_minutes=30)
    transport = httpx.ASGITransport(app=build_fake(fake))
    downstream = Downstream(
        clients={name: httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test")
                 for name in SERVICES},
        hotline=settings.support_hotline,
    )
    app = create_api(settings, downstream)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                                 headers={"referer": f"{BASE_URL}/"}) as client:
        yield client
    await downstream.aclose()


@pytest.fixture
async def learner(portal: httpx.AsyncClient) -> httpx.AsyncClient:
    await log_in(portal, "320602198503150014")
    return portal


@pytest.fixture
async def regional_admin(portal: httpx.AsyncClient) -> httpx.AsyncClient:
    await log_in(portal, "320602198001010011")
    return portal


@pytest.fixture
async def operator(portal: httpx.AsyncClient) -> httpx.AsyncClient:
    await log_in(portal, "320602197001010012")
    return portal
