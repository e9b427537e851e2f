"""Reconciliation: settle payments whose bank notification never arrived."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

from eventplatform.errors import DomainError
from eventplatform.readmodel import Database
from payment_service.application import Payments
from payment_service.gateway import BankGateway, BankUnavailable
from payment_service.readmodels import pending_payments_started_before
from payment_service.settlement import BankReport, apply_bank_report

logger = logging.getLogger(__name__)


async def reconcile_once(payments: Payments, database: Database, gateway: BankGateway) -> dict[str, int]:
    """Query the bank about every payment pending longer than the threshold; return counts by outcome."""
    cutoff = payments.clock.now() - timedelta(seconds=payments.settings.reconcile_after_seconds)
    with database.sessions() as session:
        stale = [
            (row.payment_id, row.order_id, row.started_at)
            for row in pending_payments_started_before(session, cutoff)
        ]

    abandon_before = payments.clock.now() - timedelta(seconds=payments.settings.abandon_after_seconds)
    outcomes: dict[str, int] = {}
    for payment_id, order_id, started_at in stale:
        outcome = await _reconcile_payment(payments, database, gateway, payment_id, order_id)
        if outcome == "still_pending" and started_at <= abandon_before:
            # Closing it locally is safe: a later success from the bank still settles it
            # (OrderPayments accepts a success after a failure). It keeps the job's batch of 200 from
            # filling up with abandoned payment pages.
            changed = await asyncio.to_thread(payments.fail_payment, order_id, payment_id, "abandoned")
            outcome = "abandoned" if changed else outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if stale:
        logger.info("reconciliation checked %d pending payments: %s", len(stale), outcomes)
    return outcomes


async def _reconcile_payment(
    payments: Payments, database: Database, gateway: BankGateway, payment_id: UUID, order_id: UUID
) -> str:
    try:
        status = await gateway.query_payment(payment_id)
    except BankUnavailable as error:
        logger.warning("reconciliation could not query payment %s: %s", payment_id, error)
        return "bank_unavailable"

    if status is None:
        # The bank never registered it (the create call failed after we recorded the start).
        ledger = await asyncio.to_thread(payments.ledger, order_id)
        report = BankReport(
            payment_id=payment_id,
            order_id=order_id,
            bank_payment_id="",
            amount_fen=ledger.payment(payment_id).amount_fen,
            status="failed",
            paid_at=None,
        )
    else:
        report = BankReport(
            payment_id=status.payment_id,
            order_id=status.order_id,
            bank_payment_id=status.bank_payment_id,
            amount_fen=status.amount_fen,
            status=status.status,
            paid_at=status.paid_at,
        )

    try:
        return await asyncio.to_thread(apply_bank_report, payments, database, report)
    except DomainError as error:
        logger.error("reconciliation rejected the bank's status of payment %s: %s", payment_id, error)
        return "rejected"


def reconciliation_job(
    payments: Payments, database: Database, gateway: BankGateway
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """Build the runtime job that reconciles every ``reconcile_interval_seconds``."""

    async def run(stopping: asyncio.Event) -> None:
        interval = payments.settings.reconcile_interval_seconds
        logger.info("reconciliation job started (every %ss, after %ss pending)",
                    interval, payments.settings.reconcile_after_seconds)
        while not stopping.is_set():
            try:
                await reconcile_once(payments, database, gateway)
            except Exception:
                logger.exception("reconciliation round failed; retrying in %ss", interval)
            try:
                await asyncio.wait_for(stopping.wait(), timeout=interval)
            except TimeoutError:
                pass
        logger.info("reconciliation job stopped")

    return run
