"""Map recorded ``OrderPayments`` events to the integration events on ``gqjy.payment.payment``."""

import logging
from typing import Any

from education_contracts import IntegrationEvent, InvoiceIssued, OrderPaid, RefundFlagged

from payment_service.domain import OrderPayments, RefundReason

logger = logging.getLogger(__name__)


def translate(domain_event: Any) -> list[IntegrationEvent]:
    if isinstance(domain_event, OrderPayments.PaymentSucceeded):
        return [OrderPaid(
            order_id=domain_event.order_id,
            learner_id=domain_event.learner_id,
            payment_id=domain_event.payment_id,
            training_year=domain_event.training_year,
            amount_fen=domain_event.amount_fen,
            channel=domain_event.channel,
            paid_at=domain_event.paid_at,
        )]
    if isinstance(domain_event, OrderPayments.RefundFlagged):
        return _refund_flagged(domain_event)
    if isinstance(domain_event, OrderPayments.InvoiceIssued):
        return [InvoiceIssued(
            invoice_id=domain_event.invoice_id,
            invoice_number=domain_event.invoice_number,
            order_id=domain_event.order_id,
            learner_id=domain_event.learner_id,
            amount_fen=domain_event.amount_fen,
            issued_at=domain_event.issued_at,
            downloadable_from=domain_event.downloadable_from,
            downloadable_until=domain_event.downloadable_until,
        )]
    return []


def _refund_flagged(domain_event: Any) -> list[IntegrationEvent]:
    if domain_event.reason != RefundReason.ORDER_ALREADY_PAID.value:
        # NOTE: the RefundFlagged contract only allows "order_already_paid"; a payment for a
        # cancelled order stays inside this service (operators see it in /api/payments/refunds).
        logger.warning(
            "refund of payment %s for order %s (%s) is not published: no contract reason for it",
            domain_event.payment_id, domain_event.order_id, domain_event.reason,
        )
        return []
    return [RefundFlagged(
        payment_id=domain_event.payment_id,
        order_id=domain_event.order_id,
        learner_id=domain_event.learner_id,
        amount_fen=domain_event.amount_fen,
        reason="order_already_paid",
        flagged_at=domain_event.flagged_at,
    )]
