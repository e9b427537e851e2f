"""Enrollment orders and the invoice details they carry."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from enrollment_service.domain.errors import (
    InvalidCreditCode,
    InvalidEmail,
    InvalidInvoiceTitle,
    OrderNotPending,
)

# GB 32100-2015: 18 characters from 0-9 and A-Z without I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
MAX_TITLE_LENGTH = 100


def credit_code_check_passes(code: str) -> bool:
    """Return whether the 18th character matches the GB 32100-2015 check of the first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(code[:17], CREDIT_CODE_WEIGHTS, strict=True))
    expected = (31 - total % 31) % 31
    return CREDIT_CODE_ALPHABET[expected] == code[17]


@dataclass(frozen=True)
class InvoiceDetails:
    """Invoice title, unified social credit code and e-mail, normalised and checked.

    A code with the right form but a wrong check character is accepted with
    ``check_failed`` set, because some codes in use fail the check.
    """

    title: str
    credit_code: str
    email: str
    check_failed: bool

    @classmethod
    def parse(cls, title: str, credit_code: str, email: str) -> "InvoiceDetails":
        title = title.strip()
        if not title or len(title) > MAX_TITLE_LENGTH:
            raise InvalidInvoiceTitle(f"invoice title of length {len(title)}")

        credit_code = credit_code.strip().upper()
        if len(credit_code) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in credit_code):
            raise InvalidCreditCode("credit code has not 18 characters of the GB 32100 alphabet")

        email = email.strip()
        if len(email) > 254 or not EMAIL_PATTERN.match(email):
            raise InvalidEmail("e-mail address does not match the expected form")

        return cls(title, credit_code, email, not credit_code_check_passes(credit_code))


class OrderStatus:
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Order(Aggregate):
    """One learner's order for the class of one training year."""

    @staticmethod
    def create_id(order_id: UUID) -> UUID:
        return order_id

    @event("Placed")
    def __init__(
        self,
        order_id: UUID,
        order_number: str,
        learner_id: UUID,
        class_id: UUID,
        training_year: int,
        is_make_up: bool,
        amount_fen: int,
        invoice: dict[str, Any],
        learning_window: dict[str, str],
        placed_at: datetime,
        expires_at: datetime,
    ) -> None:
        self.order_number = order_number
        self.learner_id = learner_id
        self.class_id = class_id
        self.training_year = training_year
        self.is_make_up = is_make_up
        self.amount_fen = amount_fen
        self.invoice = invoice
        self.learning_window = learning_window
        self.placed_at = placed_at
        self.expires_at = expires_at
        self.status = OrderStatus.PENDING
        self.payment_id: UUID | None = None

    @property
    def is_pending(self) -> bool:
        return self.status == OrderStatus.PENDING

    def cancel(self, cancelled_at: datetime) -> None:
        if not self.is_pending:
            raise OrderNotPending(f"order {self.id} is {self.status}")
        self._end(learner_id=self.learner_id, reason="cancelled_by_learner", cancelled_at=cancelled_at)

    def expire(self, now: datetime) -> bool:
        """End the order if it is still unpaid at its expiry time; return whether it ended."""
        if not self.is_pending or now < self.expires_at:
            return False
        self._end(learner_id=self.learner_id, reason="expired", cancelled_at=now)
        return True

    @event("Cancelled")
    def _end(self, learner_id: UUID, reason: str, cancelled_at: datetime) -> None:
        self.status = OrderStatus.EXPIRED if reason == "expired" else OrderStatus.CANCELLED

    def record_payment(self, payment_id: UUID, amount_fen: int, paid_at: datetime) -> bool:
        """Mark the order paid; return False when this payment was already recorded.

        A payment that arrives after the order was cancelled or expired is
        still recorded: the money was taken, so the class must open.
        """
        if self.status == OrderStatus.PAID:
            return False
        self._pay(payment_id=payment_id, amount_fen=amount_fen, paid_at=paid_at)
        return True

    @event("Paid")
    def _pay(self, payment_id: UUID, amount_fen: int, paid_at: datetime) -> None:
        self.status = OrderStatus.PAID
        self.payment_id = payment_id


def order_number(placed_on: date, order_id: UUID) -> str:
    """Build the number shown to the learner: GQ, the Shanghai date, ten id characters."""
    return f"GQ{placed_on:%Y%m%d}{order_id.hex[:10].upper()}"
