"""Apply what the bank reports about a payment, from a notification or a status query."""

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventplatform.errors import DomainError
from eventplatform.readmodel import Database
from payment_service.application import Payments
from payment_service.domain import AmountMismatch
from payment_service.queries import is_order_cancelled

logger = logging.getLogger(__name__)

FINAL_FAILURES = ("failed", "cancelled")


class IncompleteBankReport(DomainError):
    def __init__(self, payment_id: UUID) -> None:
        super().__init__(f"bank reported payment {payment_id} as paid without a payment time")


@dataclass(frozen=True)
class BankReport:
    """The bank's statement about one payment, after its signature was checked."""

    payment_id: UUID
    order_id: UUID
    bank_payment_id: str
    amount_fen: int
    status: str  # paid, failed, cancelled or pending
    paid_at: datetime | None


def apply_bank_report(payments: Payments, database: Database, report: BankReport) -> str:
    """Record the report and return what it did. A wrong report raises a DomainError and changes nothing.

    Raises ``OrderNotFound`` or ``PaymentNotFound`` for an order or payment this
    service never started, and ``AmountMismatch`` for a different amount.
    """
    ledger = payments.ledger(report.order_id)
    payment = ledger.payment(report.payment_id)
    if payment.amount_fen != report.amount_fen:
        raise AmountMismatch(report.payment_id, payment.amount_fen, report.amount_fen)

    if report.status == "paid":
        if report.paid_at is None:
            raise IncompleteBankReport(report.payment_id)
        with database.sessions() as session:
            cancelled = is_order_cancelled(session, report.order_id)
        settlement = payments.confirm_payment(
            report.order_id, report.payment_id, report.amount_fen, report.paid_at,
            report.bank_payment_id, order_cancelled=cancelled,
        )
        return settlement.value

    if report.status in FINAL_FAILURES:
        changed = payments.fail_payment(report.order_id, report.payment_id, report.status)
        return "failed" if changed else "already_recorded"

    return "still_pending"
