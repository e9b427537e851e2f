"""Order to OrderPaid through the bank simulator, on real Kafka and PostgreSQL."""

import asyncio
import io
import uuid
from datetime import date, timedelta

import pytest
from education_contracts import InvoiceIssued, OrderCancelled, OrderPaid, RefundFlagged
from pypdf import PdfReader

from eventplatform.clock import shanghai_noon
from eventplatform.testing import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def start_payment(stack, order, token_for, channel="unionpay"):
    response = await stack.client.post(
        f"/api/payments/orders/{order.order_id}", json={"channel": channel}, headers=token_for(order.learner_id)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def payment_status(stack, order, payment_id, token_for):
    response = await stack.client.get(f"/api/payments/{payment_id}", headers=token_for(order.learner_id))
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def settled(stack, order, payment_id, token_for, expected="succeeded"):
    async def probe():
        return await payment_status(stack, order, payment_id, token_for) == expected

    await eventually(probe)


async def pay_at_bank(stack, pay_url):
    path = str(pay_url).split("http://bank.test", 1)[1]
    page = await stack.bank_client.get(path)
    assert page.status_code == 200
    response = await stack.bank_client.post(f"{path}/confirm")
    assert response.status_code == 303
    return page, response


async def test_paid_order_publishes_order_paid(stack, token_for):
    order = await stack.place_order(amount_fen=20000)
    payment = await start_payment(stack, order, token_for)

    page, redirect = await pay_at_bank(stack, payment["pay_url"])
    await settled(stack, order, payment["payment_id"], token_for)

    assert "确认支付" in page.text
    assert "¥200.00" in page.text
    assert order.order_number in page.text
    assert redirect.headers["location"] == (
        f"http://portal.test/payments/return?order_id={order.order_id}&payment_id={payment['payment_id']}"
    )
    events = await stack.payment_events(lambda seen: any(isinstance(e, InvoiceIssued) for e in seen))
    paid = [event for event in events if isinstance(event, OrderPaid)]
    assert len(paid) == 1
    assert paid[0].order_id == order.order_id
    assert paid[0].learner_id == order.learner_id
    assert str(paid[0].payment_id) == payment["payment_id"]
    assert paid[0].amount_fen == 20000
    assert paid[0].channel == "unionpay"
    assert paid[0].training_year == 2026


async def test_bad_notifications_change_nothing(stack, token_for):
    order = await stack.place_order(amount_fen=20000)
    payment = await start_payment(stack, order, token_for)
    bank_payment = stack.bank.find("gqjy", payment["payment_id"])
    bank_payment.status, bank_payment.paid_at = "paid", stack.clock.now()  # paid, notification not sent yet
    recorder = stack.definition.application.recorder
    events_before = recorder.max_notification_id()

    forged = stack.bank.notification(bank_payment) | {"status": "paid", "bank_payment_id": "FORGED"}
    bank_payment.amount_fen = 1
    wrong_amount = stack.bank.notification(bank_payment)
    bank_payment.amount_fen = 20000
    bank_payment.order_id = str(uuid.uuid4())
    unknown_order = stack.bank.notification(bank_payment)
    bank_payment.order_id = str(order.order_id)

    responses = {
        name: await stack.client.post("/api/payments/notifications", json=document)
        for name, document in [("forged", forged), ("wrong_amount", wrong_amount), ("unknown_order", unknown_order)]
    }

    assert responses["forged"].status_code == 401
    assert responses["wrong_amount"].status_code == 409
    assert responses["unknown_order"].status_code == 404
    assert recorder.max_notification_id() == events_before
    assert await payment_status(stack, order, payment["payment_id"], token_for) == "pending"

    genuine = stack.bank.notification(bank_payment)
    first = await stack.client.post("/api/payments/notifications", json=genuine)
    events_after_first = recorder.max_notification_id()
    replayed = await stack.client.post("/api/payments/notifications", json=genuine)

    assert first.status_code == 200
    assert first.json()["outcome"] == "paid_order"
    assert replayed.status_code == 200
    assert replayed.json()["outcome"] == "already_recorded"
    assert recorder.max_notification_id() == events_after_first


async def test_duplicate_notifications_pay_once(stack, token_for):
    stack.bank.switches.update({"duplicate_notifications": 2})
    order = await stack.place_order()
    payment = await start_payment(stack, order, token_for)

    await pay_at_bank(stack, payment["pay_url"])
    await eventually(lambda: len(stack.bank.deliveries) == 3)

    assert [delivery.outcome for delivery in stack.bank.deliveries] == ["200", "200", "200"]
    events = await stack.payment_events(lambda seen: any(isinstance(e, InvoiceIssued) for e in seen))
    assert sum(isinstance(event, OrderPaid) for event in events) == 1


async def test_lost_notification_settled_by_reconciliation(stack, token_for):
    stack.bank.switches.update({"drop_notifications": True})
    order = await stack.place_order()
    payment = await start_payment(stack, order, token_for)

    await pay_at_bank(stack, payment["pay_url"])
    await eventually(lambda: [d.outcome for d in stack.bank.deliveries] == ["dropped"])
    status_before_threshold = await payment_status(stack, order, payment["payment_id"], token_for)
    stack.clock.advance(timedelta(seconds=stack.settings.reconcile_after_seconds + 1))
    await settled(stack, order, payment["payment_id"], token_for)

    assert status_before_threshold == "pending"
    events = await stack.payment_events(lambda seen: any(isinstance(e, OrderPaid) for e in seen))
    assert [str(e.payment_id) for e in events if isinstance(e, OrderPaid)] == [payment["payment_id"]]


async def test_unregistered_payment_closed_by_reconciliation(stack, token_for):
    order = await stack.place_order()
    payment = await start_payment(stack, order, token_for)
    del stack.bank.payments[stack.bank.find("gqjy", payment["payment_id"]).bank_payment_id]

    stack.clock.advance(timedelta(seconds=stack.settings.reconcile_after_seconds + 1))

    await settled(stack, order, payment["payment_id"], token_for, expected="failed")


async def test_double_payment_flags_refund(stack, token_for):
    order = await stack.place_order()
    first = await start_payment(stack, order, token_for, channel="unionpay")
    second = await start_payment(stack, order, token_for, channel="wechat")

    await pay_at_bank(stack, first["pay_url"])
    await settled(stack, order, first["payment_id"], token_for)
    await pay_at_bank(stack, second["pay_url"])
    await settled(stack, order, second["payment_id"], token_for, expected="refund_flagged")

    events = await stack.payment_events(lambda seen: any(isinstance(e, RefundFlagged) for e in seen))
    assert [str(e.payment_id) for e in events if isinstance(e, OrderPaid)] == [first["payment_id"]]
    refunds = [e for e in events if isinstance(e, RefundFlagged)]
    assert [str(e.payment_id) for e in refunds] == [second["payment_id"]]
    assert refunds[0].reason == "order_already_paid"
    history = await stack.client.get("/api/payments/history", headers=token_for(order.learner_id))
    assert history.json()["orders"][0]["status_label"] == "退款待处理"
    third = await stack.client.post(
        f"/api/payments/orders/{order.order_id}", json={"channel": "alipay"}, headers=token_for(order.learner_id)
    )
    assert third.status_code == 409


async def test_cancelled_order_cannot_be_paid(stack, token_for):
    order = await stack.place_order()
    await stack.publish(OrderCancelled(
        order_id=order.order_id, learner_id=order.learner_id, reason="cancelled_by_learner",
        cancelled_at=stack.clock.now(),
    ))
    await eventually(lambda: stack.order_row(order.order_id).cancelled_at is not None)

    response = await stack.client.post(
        f"/api/payments/orders/{order.order_id}", json={"channel": "unionpay"}, headers=token_for(order.learner_id)
    )
    history = await stack.client.get("/api/payments/history", headers=token_for(order.learner_id))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_closed"
    assert history.json()["orders"][0]["status_label"] == "已取消"


async def test_other_learner_cannot_pay_order(stack, token_for):
    order = await stack.place_order()

    response = await stack.client.post(
        f"/api/payments/orders/{order.order_id}", json={"channel": "unionpay"}, headers=token_for(uuid.uuid4())
    )

    assert response.status_code == 404


async def test_invoice_download_window(stack, token_for):
    order = await stack.place_order(amount_fen=20000)
    payment = await start_payment(stack, order, token_for)
    await pay_at_bank(stack, payment["pay_url"])
    await settled(stack, order, payment["payment_id"], token_for)
    headers = token_for(order.learner_id)
    await asyncio.to_thread(stack.definition.projector.catch_up)

    history = (await stack.client.get("/api/payments/history", headers=headers)).json()
    invoice = history["orders"][0]["invoice"]
    stack.clock.advance(timedelta(days=6))
    day_six = await stack.client.get(invoice["download_url"], headers=headers)
    stack.clock.advance(timedelta(days=1))
    day_seven = await stack.client.get(invoice["download_url"], headers=headers)
    stack.clock.set(shanghai_noon(date(2026, 12, 16)))
    after_year_end = await stack.client.get(invoice["download_url"], headers=headers)

    assert history["orders"][0]["status_label"] == "已支付"
    assert invoice["downloadable_from"] == "2026-06-08"
    assert invoice["downloadable_until"] == "2026-12-15"
    assert invoice["downloadable"] is False
    assert day_six.status_code == 403
    assert day_six.json()["error"]["code"] == "invoice_not_yet_available"
    assert day_seven.status_code == 200
    assert day_seven.headers["content-type"] == "application/pdf"
    assert after_year_end.status_code == 403
    assert after_year_end.json()["error"]["code"] == "invoice_window_closed"
    text = PdfReader(io.BytesIO(day_seven.content)).pages[0].extract_text()
    assert "电子发票（普通发票）" in text
    assert "继续教育培训费" in text
    assert "南通市示例事业单位" in text
    assert "¥200.00" in text
    assert "贰佰元整" in text
    assert invoice["invoice_number"] in text


async def test_abandoned_payment_closed_then_late_success_counts(stack, token_for):
    order = await stack.place_order()
    payment = await start_payment(stack, order, token_for)

    stack.clock.advance(timedelta(seconds=stack.settings.abandon_after_seconds + 1))
    await settled(stack, order, payment["payment_id"], token_for, expected="failed")
    await pay_at_bank(stack, payment["pay_url"])

    await settled(stack, order, payment["payment_id"], token_for, expected="succeeded")
