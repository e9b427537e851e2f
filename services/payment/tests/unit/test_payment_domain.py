"""Rules of OrderPayments, invoice windows, order status and amounts, without servers."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from payment_service.domain import (
    AmountMismatch,
    InvoiceNotYetAvailable,
    InvoiceWindow,
    InvoiceWindowClosed,
    OrderAlreadyPaid,
    OrderPayments,
    OrderStatus,
    OrderTerms,
    PaymentNotFound,
    PaymentStatus,
    Settlement,
    UnknownChannel,
    invoice_number_for,
    order_status,
)
from payment_service.invoice_pdf import amount_in_words, yuan

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def ledger() -> OrderPayments:
    return OrderPayments.open(OrderTerms(
        order_id=uuid.uuid4(), order_number="GQ1", learner_id=uuid.uuid4(), training_year=2026,
        amount_fen=20000, invoice_title="示例单位", invoice_credit_code="12320600MB1234567X",
        invoice_email="a@example.com",
    ))


def confirm(payments: OrderPayments, payment_id: uuid.UUID, amount_fen: int = 20000, cancelled: bool = False):
    return payments.confirm_payment(payment_id, amount_fen, NOW, "B1", cancelled, recorded_at=NOW)


def test_ledger_id_is_deterministic():
    order_id = uuid.uuid4()

    assert OrderPayments.create_id(order_id) == OrderPayments.create_id(order_id)
    assert OrderPayments.create_id(order_id) != OrderPayments.create_id(uuid.uuid4())


def test_repeated_success_changes_nothing():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "unionpay", NOW)

    first = confirm(payments, payment_id)
    events_after_first = len(payments.collect_events())
    repeat = confirm(payments, payment_id)

    assert first is Settlement.PAID_ORDER
    assert repeat is Settlement.ALREADY_RECORDED
    assert events_after_first == 3  # Opened, PaymentStarted, PaymentSucceeded
    assert payments.collect_events() == []


def test_second_success_is_flagged_for_refund():
    payments = ledger()
    first, second = uuid.uuid4(), uuid.uuid4()
    payments.start_payment(first, "unionpay", NOW)
    payments.start_payment(second, "wechat", NOW)

    confirm(payments, first)
    outcome = confirm(payments, second)

    assert outcome is Settlement.FLAGGED_FOR_REFUND
    assert payments.payment(second).status is PaymentStatus.REFUND_FLAGGED
    assert payments.paying_payment_id == first


def test_cancelled_order_payment_flagged():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "alipay", NOW)

    outcome = confirm(payments, payment_id, cancelled=True)

    assert outcome is Settlement.FLAGGED_FOR_REFUND
    assert not payments.is_paid


def test_wrong_amount_rejected():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "unionpay", NOW)
    payments.collect_events()

    with pytest.raises(AmountMismatch):
        confirm(payments, payment_id, amount_fen=1)

    assert payments.collect_events() == []
    assert payments.payment(payment_id).status is PaymentStatus.PENDING


def test_unknown_payment_and_channel_rejected():
    payments = ledger()

    with pytest.raises(PaymentNotFound):
        confirm(payments, uuid.uuid4())
    with pytest.raises(UnknownChannel):
        payments.start_payment(uuid.uuid4(), "cash", NOW)


def test_paid_order_refuses_new_payment():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "unionpay", NOW)
    confirm(payments, payment_id)

    with pytest.raises(OrderAlreadyPaid):
        payments.start_payment(uuid.uuid4(), "unionpay", NOW)


def test_failure_after_success_changes_nothing():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "unionpay", NOW)
    confirm(payments, payment_id)

    assert payments.fail_payment(payment_id, "failed", NOW) is False
    assert payments.payment(payment_id).status is PaymentStatus.SUCCEEDED


def test_invoice_issued_once_with_window():
    payments = ledger()
    payment_id = uuid.uuid4()
    payments.start_payment(payment_id, "unionpay", NOW)
    confirm(payments, payment_id)
    window = InvoiceWindow.after_payment(date(2026, 6, 1), 7, date(2026, 12, 15))

    payments.issue_invoice(NOW, date(2026, 6, 1), window)
    invoice_id = payments.invoice_id
    payments.issue_invoice(NOW, date(2026, 6, 2), window)

    issued = [e for e in payments.collect_events() if isinstance(e, OrderPayments.InvoiceIssued)]
    assert len(issued) == 1
    assert issued[0].invoice_id == invoice_id
    assert issued[0].downloadable_from == date(2026, 6, 8)
    assert issued[0].item == "继续教育培训费"


@pytest.mark.parametrize(
    ("today", "error"),
    [
        (date(2026, 6, 7), InvoiceNotYetAvailable),
        (date(2026, 6, 8), None),
        (date(2026, 12, 15), None),
        (date(2026, 12, 16), InvoiceWindowClosed),
    ],
)
def test_invoice_window_edges(today, error):
    window = InvoiceWindow.after_payment(date(2026, 6, 1), 7, date(2026, 12, 15))

    if error is None:
        window.check(uuid.uuid4(), today)
    else:
        with pytest.raises(error):
            window.check(uuid.uuid4(), today)


def test_invoice_number_layout():
    number = invoice_number_for(uuid.uuid4(), date(2026, 6, 1))

    assert len(number) == 20
    assert number.isdigit()
    assert number.startswith("2632")


@pytest.mark.parametrize(
    ("statuses", "cancel_reason", "expired", "expected"),
    [
        ([], None, False, OrderStatus.PENDING),
        ([PaymentStatus.PENDING], None, True, OrderStatus.EXPIRED),
        ([PaymentStatus.FAILED], "expired", False, OrderStatus.EXPIRED),
        ([], "cancelled_by_learner", False, OrderStatus.CANCELLED),
        ([PaymentStatus.SUCCEEDED], None, False, OrderStatus.PAID),
        ([PaymentStatus.SUCCEEDED, PaymentStatus.REFUND_FLAGGED], None, False, OrderStatus.REFUND_PENDING),
    ],
)
def test_order_status(statuses, cancel_reason, expired, expected):
    expires_at = NOW - timedelta(minutes=1) if expired else NOW + timedelta(hours=1)

    assert order_status(statuses, cancel_reason, expires_at, NOW) is expected


@pytest.mark.parametrize(
    ("amount_fen", "words"),
    [
        (20000, "贰佰元整"),
        (30050, "叁佰元伍角"),
        (100005, "壹仟元零伍分"),
        (10000000, "壹拾万元整"),
        (10010000, "壹拾万零壹佰元整"),
        (1, "壹分"),
        (50, "伍角"),
        (0, "零元整"),
    ],
)
def test_amount_in_words(amount_fen, words):
    assert amount_in_words(amount_fen) == words


def test_yuan_format():
    assert yuan(123450) == "¥1,234.50"
