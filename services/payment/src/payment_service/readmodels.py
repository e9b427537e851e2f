"""Read models of the payment service.

``payment_orders`` is filled by the handlers of enrollment's order events;
``payments`` and ``invoices`` are projected from this service's own events.
The tables never update each other's rows, so a rebuild can replay local
events and topics in either order.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from payment_service.domain import OrderPayments, OrderTerms, PaymentStatus


class ReadModel(DeclarativeBase):
    pass


class OrderRow(ReadModel):
    """An enrollment order, as recorded from OrderPlaced and OrderCancelled."""

    __tablename__ = "payment_orders"

    order_id: Mapped[Any] = mapped_column(Uuid, primary_key=True)
    order_number: Mapped[str] = mapped_column(String(40))
    learner_id: Mapped[Any] = mapped_column(Uuid, index=True)
    class_id: Mapped[Any] = mapped_column(Uuid)
    training_year: Mapped[int] = mapped_column(Integer)
    is_make_up: Mapped[bool] = mapped_column(Boolean)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    invoice_title: Mapped[str] = mapped_column(String(200))
    invoice_credit_code: Mapped[str] = mapped_column(String(40))
    invoice_email: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def terms(self) -> OrderTerms:
        return OrderTerms(
            order_id=self.order_id,
            order_number=self.order_number,
            learner_id=self.learner_id,
            training_year=self.training_year,
            amount_fen=self.amount_fen,
            invoice_title=self.invoice_title,
            invoice_credit_code=self.invoice_credit_code,
            invoice_email=self.invoice_email,
        )


class CancellationRow(ReadModel):
    """An OrderCancelled that arrived before its OrderPlaced (topics are not ordered across partitions)."""

    __tablename__ = "payment_early_cancellations"

    order_id: Mapped[Any] = mapped_column(Uuid, primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    cancelled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentRow(ReadModel):
    __tablename__ = "payments"

    payment_id: Mapped[Any] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[Any] = mapped_column(Uuid, index=True)
    learner_id: Mapped[Any] = mapped_column(Uuid, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    bank_payment_id: Mapped[str | None] = mapped_column(String(64), default=None)
    refund_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class InvoiceRow(ReadModel):
    __tablename__ = "invoices"

    invoice_id: Mapped[Any] = mapped_column(Uuid, primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(20), index=True)
    order_id: Mapped[Any] = mapped_column(Uuid, unique=True)
    learner_id: Mapped[Any] = mapped_column(Uuid, index=True)
    buyer_title: Mapped[str] = mapped_column(String(200))
    buyer_credit_code: Mapped[str] = mapped_column(String(40))
    buyer_email: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    item: Mapped[str] = mapped_column(String(50))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_on: Mapped[date] = mapped_column(Date)
    downloadable_from: Mapped[date] = mapped_column(Date)
    downloadable_until: Mapped[date] = mapped_column(Date)


# --- projection of this service's own events ------------------------------------


def project(session: Session, domain_event: Any) -> None:
    """Apply one recorded domain event of ``OrderPayments`` to the read model."""
    if isinstance(domain_event, OrderPayments.PaymentStarted):
        session.add(PaymentRow(
            payment_id=domain_event.payment_id,
            order_id=domain_event.order_id,
            learner_id=domain_event.learner_id,
            channel=domain_event.channel,
            amount_fen=domain_event.amount_fen,
            status=PaymentStatus.PENDING.value,
            started_at=domain_event.started_at,
        ))
    elif isinstance(domain_event, OrderPayments.PaymentSucceeded):
        row = _payment(session, domain_event.payment_id)
        row.status = PaymentStatus.SUCCEEDED.value
        row.paid_at = domain_event.paid_at
        row.bank_payment_id = domain_event.bank_payment_id
        row.closed_at = domain_event.timestamp
    elif isinstance(domain_event, OrderPayments.RefundFlagged):
        row = _payment(session, domain_event.payment_id)
        row.status = PaymentStatus.REFUND_FLAGGED.value
        row.paid_at = domain_event.paid_at
        row.bank_payment_id = domain_event.bank_payment_id
        row.refund_reason = domain_event.reason
        row.closed_at = domain_event.flagged_at
    elif isinstance(domain_event, OrderPayments.PaymentFailed):
        row = _payment(session, domain_event.payment_id)
        row.status = PaymentStatus.FAILED.value
        row.closed_at = domain_event.failed_at
    elif isinstance(domain_event, OrderPayments.InvoiceIssued):
        session.add(InvoiceRow(
            invoice_id=domain_event.invoice_id,
            invoice_number=domain_event.invoice_number,
            order_id=domain_event.order_id,
            learner_id=domain_event.learner_id,
            buyer_title=domain_event.buyer_title,
            buyer_credit_code=domain_event.buyer_credit_code,
            buyer_email=domain_event.buyer_email,
            amount_fen=domain_event.amount_fen,
            item=domain_event.item,
            issued_at=domain_event.issued_at,
            issued_on=domain_event.issued_on,
            downloadable_from=domain_event.downloadable_from,
            downloadable_until=domain_event.downloadable_until,
        ))


def _payment(session: Session, payment_id: Any) -> PaymentRow:
    row = session.get(PaymentRow, payment_id)
    if row is None:
        # The projector applies events in notification order, so PaymentStarted came first.
        raise LookupError(f"payment {payment_id} has no row; projection out of order")
    return row


def pending_payments_started_before(session: Session, cutoff: datetime) -> list[PaymentRow]:
    query = (
        select(PaymentRow)
        .where(PaymentRow.status == PaymentStatus.PENDING.value, PaymentRow.started_at <= cutoff)
        .order_by(PaymentRow.started_at)
        .limit(200)
    )
    return list(session.scalars(query))
