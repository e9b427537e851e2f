"""The payment service's write model: commands on ``OrderPayments`` aggregates."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from eventplatform.clock import SHANGHAI, Clock, shanghai_today
from eventplatform.store import ServiceApplication
from payment_service.domain import (
    InvoiceWindow,
    OrderNotFound,
    OrderPayments,
    OrderTerms,
    Settlement,
)
from payment_service.settings import PaymentSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Two bank results for one order at the same moment conflict on the aggregate's
# version; the loser reloads and tries again.
SAVE_ATTEMPTS = 5


class Payments(ServiceApplication):
    name = "payment"

    def __init__(self, settings: PaymentSettings, clock: Clock) -> None:
        super().__init__(settings.event_store_url)
        self.settings = settings
        self.clock = clock

    # --- queries ------------------------------------------------------------

    def ledger(self, order_id: UUID) -> OrderPayments:
        try:
            found = self.repository.get(OrderPayments.create_id(order_id))
        except AggregateNotFoundError:
            raise OrderNotFound(order_id) from None
        assert isinstance(found, OrderPayments)
        return found

    # --- commands -----------------------------------------------------------

    def start_payment(self, terms: OrderTerms, channel: str) -> UUID:
        """Record a new payment attempt of an order and return its payment id."""
        payment_id = uuid4()

        def change(ledger: OrderPayments) -> None:
            ledger.start_payment(payment_id, channel, self.clock.now())

        self._change(terms.order_id, change, opening=terms)
        logger.info("payment %s started for order %s via %s", payment_id, terms.order_id, channel)
        return payment_id

    def confirm_payment(
        self,
        order_id: UUID,
        payment_id: UUID,
        amount_fen: int,
        paid_at: datetime,
        bank_payment_id: str,
        order_cancelled: bool,
    ) -> Settlement:
        """Record a successful bank payment. The first one pays the order and issues the invoice."""

        def change(ledger: OrderPayments) -> Settlement:
            now = self.clock.now()
            settlement = ledger.confirm_payment(
                payment_id, amount_fen, paid_at, bank_payment_id, order_cancelled, recorded_at=now
            )
            if settlement is Settlement.PAID_ORDER:
                window = InvoiceWindow.after_payment(
                    paid_on=paid_at.astimezone(SHANGHAI).date(),
                    delay_days=self.settings.invoice_delay_days,
                    last_day=self.settings.invoice_last_download_day(ledger.training_year),
                )
                ledger.issue_invoice(issued_at=now, issued_on=shanghai_today(self.clock), window=window)
            return settlement

        settlement = self._change(order_id, change)
        logger.info("bank success of payment %s for order %s: %s", payment_id, order_id, settlement.value)
        return settlement

    def fail_payment(self, order_id: UUID, payment_id: UUID, bank_status: str) -> bool:
        """Record that the bank reported a payment failed or cancelled. Return False when nothing changed."""

        def change(ledger: OrderPayments) -> bool:
            return ledger.fail_payment(payment_id, bank_status, self.clock.now())

        changed = self._change(order_id, change)
        if changed:
            logger.info("payment %s of order %s closed by the bank: %s", payment_id, order_id, bank_status)
        return changed

    def _change(
        self,
        order_id: UUID,
        change: Callable[[OrderPayments], T],
        opening: OrderTerms | None = None,
    ) -> T:
        """Load (or open) the order's ledger, apply ``change`` and save it, retrying on a version conflict."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                ledger = self.ledger(order_id)
            except OrderNotFound:
                if opening is None:
                    raise
                ledger = OrderPayments.open(opening)

            result = change(ledger)
            try:
                self.save(ledger)
            except IntegrityError:
                if attempt == SAVE_ATTEMPTS:
                    raise
                logger.info("concurrent change of order %s; retrying (attempt %d)", order_id, attempt)
                continue
            return result
        raise AssertionError("unreachable")
