"""Payments of an order, the bank's results, refund flags and the e-invoice.

One ``OrderPayments`` aggregate per order contains every payment attempt of that
order. It is the consistency boundary of the rule "only the first successful
payment pays the order": two bank results for the same order are serialised by
the aggregate's version, so a race ends in a conflict and a retry, never in two
``PaymentSucceeded`` events.
"""

from dataclasses import dataclass
from typing import Any
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventplatform.errors import Conflict, DomainError, NotFound

NAMESPACE = UUID("4f6b2a51-0c2d-4b8e-9a7e-3d1c5e8f2a90")

INVOICE_ITEM = "继续教育培训费"

CHANNELS: dict[str, str] = {
    "unionpay": "银联在线支付",
    "wechat": "微信支付",
    "alipay": "支付宝",
}


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUND_FLAGGED = "refund_flagged"


class RefundReason(StrEnum):
    ORDER_ALREADY_PAID = "order_already_paid"
    ORDER_CANCELLED = "order_cancelled"


class Settlement(StrEnum):
    """Effect of a bank-reported success on the order."""

    PAID_ORDER = "paid_order"
    FLAGGED_FOR_REFUND = "flagged_for_refund"
    ALREADY_RECORDED = "already_recorded"


# --- errors -------------------------------------------------------------------


class UnknownChannel(DomainError):
    def __init__(self, channel: str) -> None:
        super().__init__(f"unknown payment channel {channel!r}")


class OrderNotFound(NotFound):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"order {order_id} is not known to the payment service")
        self.order_id = order_id


class PaymentNotFound(NotFound):
    def __init__(self, payment_id: UUID) -> None:
        super().__init__(f"payment {payment_id} not found")
        self.payment_id = payment_id


class OrderAlreadyPaid(Conflict):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"order {order_id} is already paid")


class OrderClosed(Conflict):
    def __init__(self, order_id: UUID, why: str) -> None:
        super().__init__(f"order {order_id} cannot be paid: {why}")


class AmountMismatch(DomainError):
    def __init__(self, payment_id: UUID, expected_fen: int, reported_fen: int) -> None:
        super().__init__(
            f"payment {payment_id} expects {expected_fen} fen but the bank reported {reported_fen} fen"
        )


class InvoiceNotFound(NotFound):
    def __init__(self, invoice_id: UUID) -> None:
        super().__init__(f"invoice {invoice_id} not found")


class InvoiceNotYetAvailable(DomainError):
    def __init__(self, invoice_id: UUID, opens_on: date) -> None:
        super().__init__(f"invoice {invoice_id} can be downloaded from {opens_on}")
        self.opens_on = opens_on


class InvoiceWindowClosed(DomainError):
    def __init__(self, invoice_id: UUID, closed_on: date) -> None:
        super().__init__(f"invoice {invoice_id} could be downloaded until {closed_on}")


# --- value objects ------------------------------------------------------------


@dataclass(frozen=True)
class OrderTerms:
    """The facts of an order that payment and invoicing need (from OrderPlaced)."""

    order_id: UUID
    order_number: str
    learner_id: UUID
    training_year: int
    amount_fen: int
    invoice_title: str
    invoice_credit_code: str
    invoice_email: str


@dataclass(frozen=True)
class InvoiceWindow:
    """The Asia/Shanghai days, inclusive, on which an e-invoice can be downloaded."""

    opens_on: date
    closes_on: date

    @classmethod
    def after_payment(cls, paid_on: date, delay_days: int, last_day: date) -> "InvoiceWindow":
        # NOTE: a payment less than delay_days before last_day gives an empty
        # window (opens_on > closes_on) because the domain rule has no exception for late payments.
        return cls(opens_on=paid_on + timedelta(days=delay_days), closes_on=last_day)

    def check(self, invoice_id: UUID, today: date) -> None:
        if today < self.opens_on:
            raise InvoiceNotYetAvailable(invoice_id, self.opens_on)
        if today > self.closes_on:
            raise InvoiceWindowClosed(invoice_id, self.closes_on)


@dataclass
class PaymentAttempt:
    """One payment of an order as the aggregate tracks it."""

    channel: str
    amount_fen: int
    status: PaymentStatus = PaymentStatus.PENDING


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise UnknownChannel(channel)


def invoice_id_for(order_id: UUID) -> UUID:
    """Derive the invoice id from the order: one invoice per paid order."""
    return uuid5(NAMESPACE, f"invoice:{order_id}")


def invoice_number_for(invoice_id: UUID, issued_on: date) -> str:
    """Build a 20-digit number in the layout of a fully digital e-invoice (数电发票).

    Two digits of the year, "32" for Jiangsu, then 16 digits from the invoice id.
    """
    # NOTE: the 16 digits are a hash of the invoice id, not a tax-bureau
    # sequence, so uniqueness is probabilistic (about 1e-16 per pair).
    serial = invoice_id.int % 10**16
    return f"{issued_on.year % 100:02d}32{serial:016d}"


# --- aggregate ----------------------------------------------------------------


class OrderPayments(Aggregate):
    """Every payment attempt of one order, and the order's invoice."""

    @staticmethod
    def create_id(order_id: UUID) -> UUID:
        return uuid5(NAMESPACE, f"order-payments:{order_id}")

    @event("Opened")
    def __init__(
        self,
        order_id: UUID,
        order_number: str,
        learner_id: UUID,
        training_year: int,
        amount_fen: int,
        invoice_title: str,
        invoice_credit_code: str,
        invoice_email: str,
    ) -> None:
        self.order_id = order_id
        self.order_number = order_number
        self.learner_id = learner_id
        self.training_year = training_year
        self.amount_fen = amount_fen
        self.invoice_title = invoice_title
        self.invoice_credit_code = invoice_credit_code
        self.invoice_email = invoice_email
        self.payments: dict[UUID, PaymentAttempt] = {}
        self.paying_payment_id: UUID | None = None
        self.invoice_id: UUID | None = None

    @classmethod
    def open(cls, terms: OrderTerms) -> "OrderPayments":
        return cls(
            order_id=terms.order_id,
            order_number=terms.order_number,
            learner_id=terms.learner_id,
            training_year=terms.training_year,
            amount_fen=terms.amount_fen,
            invoice_title=terms.invoice_title,
            invoice_credit_code=terms.invoice_credit_code,
            invoice_email=terms.invoice_email,
        )

    # --- guards -----------------------------------------------------------

    @property
    def is_paid(self) -> bool:
        return self.paying_payment_id is not None

    def payment(self, payment_id: UUID) -> PaymentAttempt:
        found = self.payments.get(payment_id)
        if found is None:
            raise PaymentNotFound(payment_id)
        return found

    # --- commands ---------------------------------------------------------

    def start_payment(self, payment_id: UUID, channel: str, started_at: datetime) -> None:
        check_channel(channel)
        if self.is_paid:
            raise OrderAlreadyPaid(self.order_id)
        self._record_start(
            payment_id=payment_id,
            order_id=self.order_id,
            learner_id=self.learner_id,
            channel=channel,
            amount_fen=self.amount_fen,
            started_at=started_at,
        )

    def confirm_payment(
        self,
        payment_id: UUID,
        amount_fen: int,
        paid_at: datetime,
        bank_payment_id: str,
        order_cancelled: bool,
        recorded_at: datetime,
    ) -> Settlement:
        """Record the bank's word that a payment succeeded; safe to repeat."""
        payment = self.payment(payment_id)
        if amount_fen != payment.amount_fen:
            raise AmountMismatch(payment_id, payment.amount_fen, amount_fen)

        if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUND_FLAGGED):
            return Settlement.ALREADY_RECORDED

        # A success can follow an earlier failure report: the bank's latest word wins.
        facts: dict[str, Any] = dict(
            payment_id=payment_id,
            order_id=self.order_id,
            learner_id=self.learner_id,
            amount_fen=amount_fen,
            channel=payment.channel,
            paid_at=paid_at,
            bank_payment_id=bank_payment_id,
        )
        if self.is_paid or order_cancelled:
            reason = RefundReason.ORDER_ALREADY_PAID if self.is_paid else RefundReason.ORDER_CANCELLED
            self._flag_refund(**facts, reason=reason.value, flagged_at=recorded_at)
            return Settlement.FLAGGED_FOR_REFUND
        self._record_success(**facts, training_year=self.training_year)
        return Settlement.PAID_ORDER

    def fail_payment(self, payment_id: UUID, bank_status: str, failed_at: datetime) -> bool:
        """Record a failed or cancelled bank payment; return False when nothing changed."""
        if self.payment(payment_id).status is not PaymentStatus.PENDING:
            return False
        self._record_failure(
            payment_id=payment_id, order_id=self.order_id, bank_status=bank_status, failed_at=failed_at
        )
        return True

    def issue_invoice(self, issued_at: datetime, issued_on: date, window: InvoiceWindow) -> None:
        if not self.is_paid or self.invoice_id is not None:
            return
        invoice_id = invoice_id_for(self.order_id)
        self._record_invoice(
            invoice_id=invoice_id,
            invoice_number=invoice_number_for(invoice_id, issued_on),
            order_id=self.order_id,
            learner_id=self.learner_id,
            buyer_title=self.invoice_title,
            buyer_credit_code=self.invoice_credit_code,
            buyer_email=self.invoice_email,
            amount_fen=self.amount_fen,
            item=INVOICE_ITEM,
            issued_at=issued_at,
            issued_on=issued_on,
            downloadable_from=window.opens_on,
            downloadable_until=window.closes_on,
        )

    # --- recorded events --------------------------------------------------

    @event("PaymentStarted")
    def _record_start(
        self, payment_id: UUID, order_id: UUID, learner_id: UUID, channel: str,
        amount_fen: int, started_at: datetime,
    ) -> None:
        self.payments[payment_id] = PaymentAttempt(channel=channel, amount_fen=amount_fen)

    @event("PaymentSucceeded")
    def _record_success(
        self, payment_id: UUID, order_id: UUID, learner_id: UUID, training_year: int,
        amount_fen: int, channel: str, paid_at: datetime, bank_payment_id: str,
    ) -> None:
        self.payments[payment_id].status = PaymentStatus.SUCCEEDED
        self.paying_payment_id = payment_id

    @event("RefundFlagged")
    def _flag_refund(
        self, payment_id: UUID, order_id: UUID, learner_id: UUID, amount_fen: int, channel: str,
        paid_at: datetime, bank_payment_id: str, reason: str, flagged_at: datetime,
    ) -> None:
        self.payments[payment_id].status = PaymentStatus.REFUND_FLAGGED

    @event("PaymentFailed")
    def _record_failure(
        self, payment_id: UUID, order_id: UUID, bank_status: str, failed_at: datetime
    ) -> None:
        self.payments[payment_id].status = PaymentStatus.FAILED

    @event("InvoiceIssued")
    def _record_invoice(
        self, invoice_id: UUID, invoice_number: str, order_id: UUID, learner_id: UUID,
        buyer_title: str, buyer_credit_code: str, buyer_email: str, amount_fen: int, item: str,
        issued_at: datetime, issued_on: date, downloadable_from: date, downloadable_until: date,
    ) -> None:
        self.invoice_id = invoice_id


# --- order status shown in the learner's history --------------------------------


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUND_PENDING = "refund_pending"

    @property
    def label(self) -> str:
        return _ORDER_STATUS_LABELS[self]


_ORDER_STATUS_LABELS = {
    OrderStatus.PENDING: "待支付",
    OrderStatus.PAID: "已支付",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.EXPIRED: "已过期",
    OrderStatus.REFUND_PENDING: "退款待处理",
}

PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: "支付处理中",
    PaymentStatus.SUCCEEDED: "支付成功",
    PaymentStatus.FAILED: "支付失败",
    PaymentStatus.REFUND_FLAGGED: "重复支付，退款待处理",
}


def order_status(
    payment_statuses: list[PaymentStatus],
    cancel_reason: str | None,
    expires_at: datetime,
    now: datetime,
) -> OrderStatus:
    """Derive an order's status; a pending refund outranks every other state."""
    if PaymentStatus.REFUND_FLAGGED in payment_statuses:
        return OrderStatus.REFUND_PENDING
    if PaymentStatus.SUCCEEDED in payment_statuses:
        return OrderStatus.PAID
    if cancel_reason == "expired":
        return OrderStatus.EXPIRED
    if cancel_reason is not None:
        return OrderStatus.CANCELLED
    if now > expires_at:
        # Enrollment's expiry job may not have run yet; the order is still over.
        return OrderStatus.EXPIRED
    return OrderStatus.PENDING
