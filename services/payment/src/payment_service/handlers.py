"""Handlers of enrollment's order events: they fill the ``payment_orders`` read model."""

import logging
from collections.abc import Mapping

from education_contracts import IntegrationEvent, OrderCancelled, OrderPlaced

from eventplatform.consumer import Handler, HandlerContext
from payment_service.readmodels import CancellationRow, OrderRow

logger = logging.getLogger(__name__)


def on_order_placed(context: HandlerContext, event: OrderPlaced) -> None:
    session = context.session
    if session.get(OrderRow, event.order_id) is not None:
        return

    row = OrderRow(
        order_id=event.order_id,
        order_number=event.order_number,
        learner_id=event.learner_id,
        class_id=event.class_id,
        training_year=event.training_year,
        is_make_up=event.is_make_up,
        amount_fen=event.amount_fen,
        invoice_title=event.invoice_title,
        invoice_credit_code=event.invoice_credit_code,
        invoice_email=event.invoice_email,
        placed_at=event.placed_at,
        expires_at=event.expires_at,
    )
    early = session.get(CancellationRow, event.order_id)
    if early is not None:
        row.cancel_reason = early.reason
        row.cancelled_at = early.cancelled_at
        session.delete(early)
    session.add(row)
    logger.info("order %s of learner %s recorded for payment", event.order_id, event.learner_id)


def on_order_cancelled(context: HandlerContext, event: OrderCancelled) -> None:
    session = context.session
    row = session.get(OrderRow, event.order_id)
    if row is None:
        # Both events share the learner key and topic, so this only happens on a
        # partial replay; keep it until the OrderPlaced arrives.
        if session.get(CancellationRow, event.order_id) is None:
            session.add(CancellationRow(
                order_id=event.order_id, reason=event.reason, cancelled_at=event.cancelled_at
            ))
        return
    if row.cancelled_at is None:
        row.cancel_reason = event.reason
        row.cancelled_at = event.cancelled_at


def build_handlers() -> Mapping[type[IntegrationEvent], Handler]:
    return {OrderPlaced: on_order_placed, OrderCancelled: on_order_cancelled}
