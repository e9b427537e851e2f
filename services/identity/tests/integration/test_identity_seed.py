"""The seed-demo command on PostgreSQL: offices, 2,020 people, accounts, and a second run."""

import asyncio

import pytest
from sqlalchemy import func, select

from identity_service.readmodels import AdminRow, OfficeRow, RosterRow
from identity_service.seed import seed_demo
from identity_support import PASSWORD, login

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


def counts(service) -> tuple[int, int, int, int]:
    with service.definition.database.sessions() as session:
        people = session.execute(select(func.count()).select_from(RosterRow)).scalar_one()
        accounts = session.execute(
            select(func.count()).select_from(RosterRow).where(RosterRow.has_account.is_(True))
        ).scalar_one()
        offices = session.execute(select(func.count()).select_from(OfficeRow)).scalar_one()
        admins = session.execute(select(func.count()).select_from(AdminRow)).scalar_one()
    return people, accounts, offices, admins


async def test_seed_demo_is_idempotent(service):
    assert await asyncio.to_thread(seed_demo, service.definition) == 0
    assert counts(service) == (2020, 3, 20, 9)

    with service.definition.database.sessions() as session:
        grades = session.execute(select(RosterRow.grade).distinct()).scalars().all()
    assert set(grades) == {"ordinary", "junior", "intermediate", "senior", "technician",
                           "senior_technician"}

    assert await asyncio.to_thread(seed_demo, service.definition) == 0
    assert counts(service) == (2020, 3, 20, 9)

    assert (await login(service, "32060119850315001X", PASSWORD)).status_code == 200
    assert (await login(service, "operator", "Province#2026")).status_code == 200
