"""Read-side queries behind the learner's and the operator's pages."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from payment_service.domain import (
    PAYMENT_STATUS_LABELS,
    InvoiceNotFound,
    OrderNotFound,
    PaymentNotFound,
    PaymentStatus,
    order_status,
)
from payment_service.readmodels import InvoiceRow, OrderRow, PaymentRow


def learner_order(session: Session, order_id: UUID, learner_id: UUID) -> OrderRow:
    """Return the learner's own order; another learner's order is reported as not found."""
    row = session.get(OrderRow, order_id)
    if row is None or row.learner_id != learner_id:
        raise OrderNotFound(order_id)
    return row


def is_order_cancelled(session: Session, order_id: UUID) -> bool:
    row = session.get(OrderRow, order_id)
    return row is not None and row.cancelled_at is not None


def payment_statuses(session: Session, order_id: UUID) -> list[PaymentStatus]:
    rows = session.scalars(select(PaymentRow.status).where(PaymentRow.order_id == order_id))
    return [PaymentStatus(status) for status in rows]


def learner_payment(session: Session, payment_id: UUID, learner_id: UUID) -> dict[str, Any]:
    row = session.get(PaymentRow, payment_id)
    if row is None or row.learner_id != learner_id:
        raise PaymentNotFound(payment_id)
    return payment_json(row)


def payment_json(row: PaymentRow) -> dict[str, Any]:
    status = PaymentStatus(row.status)
    return {
        "payment_id": str(row.payment_id),
        "order_id": str(row.order_id),
        "channel": row.channel,
        "amount_fen": row.amount_fen,
        "status": status.value,
        "status_label": PAYMENT_STATUS_LABELS[status],
        "started_at": row.started_at.isoformat(),
        "paid_at": row.paid_at.isoformat() if row.paid_at else None,
        "refund_reason": row.refund_reason,
    }


def learner_invoice(session: Session, invoice_id: UUID, learner_id: UUID) -> InvoiceRow:
    row = session.get(InvoiceRow, invoice_id)
    if row is None or row.learner_id != learner_id:
        raise InvoiceNotFound(invoice_id)
    return row


def order_history(session: Session, learner_id: UUID, now: datetime, today: date) -> list[dict[str, Any]]:
    """Return the learner's orders, newest first, with status and invoice availability."""
    orders = session.scalars(
        select(OrderRow).where(OrderRow.learner_id == learner_id).order_by(OrderRow.placed_at.desc())
    ).all()
    payments = session.scalars(select(PaymentRow).where(PaymentRow.learner_id == learner_id)).all()
    invoices = session.scalars(select(InvoiceRow).where(InvoiceRow.learner_id == learner_id)).all()
    invoice_by_order = {row.order_id: row for row in invoices}

    history = []
    for order in orders:
        own_payments = [row for row in payments if row.order_id == order.order_id]
        status = order_status(
            [PaymentStatus(row.status) for row in own_payments], order.cancel_reason, order.expires_at, now
        )
        paid_at = next(
            (row.paid_at for row in own_payments if row.status == PaymentStatus.SUCCEEDED.value), None
        )
        invoice = invoice_by_order.get(order.order_id)
        history.append({
            "order_id": str(order.order_id),
            "order_number": order.order_number,
            "training_year": order.training_year,
            "is_make_up": order.is_make_up,
            "amount_fen": order.amount_fen,
            "status": status.value,
            "status_label": status.label,
            "placed_at": order.placed_at.isoformat(),
            "paid_at": paid_at.isoformat() if paid_at else None,
            "invoice": invoice_json(invoice, today) if invoice else None,
        })
    return history


def invoice_json(row: InvoiceRow, today: date) -> dict[str, Any]:
    if today < row.downloadable_from:
        downloadable, label = False, f"{row.downloadable_from.isoformat()} 起可下载"
    elif today > row.downloadable_until:
        downloadable, label = False, "已过下载期限"
    else:
        downloadable, label = True, "可下载"
    return {
        "invoice_id": str(row.invoice_id),
        "invoice_number": row.invoice_number,
        "issued_on": row.issued_on.isoformat(),
        "downloadable_from": row.downloadable_from.isoformat(),
        "downloadable_until": row.downloadable_until.isoformat(),
        "downloadable": downloadable,
        "availability_label": label,
        "download_url": f"/api/payments/invoices/{row.invoice_id}/pdf",
    }


def refunds(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(PaymentRow, OrderRow.order_number)
        .join(OrderRow, OrderRow.order_id == PaymentRow.order_id, isouter=True)
        .where(PaymentRow.status == PaymentStatus.REFUND_FLAGGED.value)
        .order_by(PaymentRow.closed_at)
    ).all()
    return [
        {
            "payment_id": str(payment.payment_id),
            "order_id": str(payment.order_id),
            "order_number": order_number,
            "amount_fen": payment.amount_fen,
            "channel": payment.channel,
            "reason": payment.refund_reason,
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        }
        for payment, order_number in rows
    ]
