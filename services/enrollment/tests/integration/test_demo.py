"""seed-demo: 2026 keeps the notice's dates and a demo year is open today."""

from datetime import date

import pytest

from enrollment_service.demo import seed_demo

from ..conftest import token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_seed_demo_keeps_2026_and_opens_demo_year(testbed):
    testbed.set_today(date(2026, 12, 20))
    learner_id = await testbed.register()

    assert seed_demo(testbed.definition) == 0
    assert seed_demo(testbed.definition) == 0  # idempotent
    calendar = (await testbed.client.get("/api/enrollment/calendar", headers=token())).json()["years"]
    years = (await testbed.client.get("/api/enrollment/years", headers=token(learner_id=learner_id))).json()

    by_year = {entry["training_year"]: entry for entry in calendar}
    assert by_year[2026]["enrollment_window"] == {"starts_on": "2026-05-06", "ends_on": "2026-09-30"}
    assert by_year[2026]["learning_window"] == {"starts_on": "2026-05-06", "ends_on": "2026-12-15"}
    assert by_year[2026]["make_up_window"] == {"starts_on": "2026-10-08", "ends_on": "2026-12-15"}
    assert by_year[2099]["is_demo"] is True
    assert [y["training_year"] for y in years["years"]] == [2099]
    order = await testbed.place_order(learner_id, 2099)
    assert order.status_code == 201, order.text
