"""Orders: one class per year, invoice checks, cancellation and expiry."""

import uuid
from datetime import timedelta

import pytest
from education_contracts.base import Grade
from eventplatform.testing import eventually

from enrollment_service.readmodels import queries

from ..conftest import token, valid_credit_code

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_second_order_returns_open_one(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()

    first = await testbed.place_order(learner_id, 2026)
    second = await testbed.place_order(learner_id, 2026)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["order_id"] == first.json()["order_id"]


async def test_paid_year_refuses_new_order(testbed):
    testbed.schedule_notice_year()
    learner_id, _ = await testbed.open_class(Grade.JUNIOR)

    response = await testbed.place_order(learner_id, 2026)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "year_already_paid"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("invoice_title", "  ", "invalid_invoice_title"),
        ("invoice_credit_code", "91320600MA1W2Y3K4", "invalid_credit_code"),
        ("invoice_credit_code", "91320600MA1W2Y3KIO", "invalid_credit_code"),
        ("invoice_email", "caiwu@", "invalid_email"),
    ],
)
async def test_invalid_invoice_details_rejected(testbed, field, value, code):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    body = {
        "training_year": 2026,
        "invoice_title": "南通市示例事业单位",
        "invoice_credit_code": valid_credit_code(),
        "invoice_email": "caiwu@example.com",
        field: value,
    }

    response = await testbed.client.post("/api/enrollment/orders", json=body, headers=token(learner_id=learner_id))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


async def test_unknown_learner_rejected(testbed):
    testbed.schedule_notice_year()

    response = await testbed.place_order(uuid.uuid4(), 2026)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "learner_not_found"


async def test_cancelled_order_allows_new_one(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    first = (await testbed.place_order(learner_id, 2026)).json()

    cancelled = await testbed.client.post(
        f"/api/enrollment/orders/{first['order_id']}/cancel", headers=token(learner_id=learner_id)
    )
    again = await testbed.client.post(
        f"/api/enrollment/orders/{first['order_id']}/cancel", headers=token(learner_id=learner_id)
    )
    second = await testbed.place_order(learner_id, 2026)

    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert second.status_code == 201
    assert second.json()["order_id"] != first["order_id"]
    assert second.json()["class_id"] == first["class_id"]


async def test_unpaid_order_expires(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    order = (await testbed.place_order(learner_id, 2026)).json()

    testbed.clock.advance(timedelta(minutes=121))

    await eventually(lambda: testbed.query(queries.order, uuid.UUID(order["order_id"])).status == "expired")
    classes = (await testbed.client.get("/api/enrollment/classes", headers=token(learner_id=learner_id))).json()
    assert classes["classes"] == []
