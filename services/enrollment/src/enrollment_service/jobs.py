"""Scheduled jobs: expire unpaid orders, open classes whose learner arrived late."""

import asyncio
import logging
from collections.abc import Callable

from eventplatform.runtime import Job

from enrollment_service.application import Enrollment
from enrollment_service.handlers import open_waiting_classes
from enrollment_service.readmodels import queries

logger = logging.getLogger(__name__)


def expire_overdue_orders(app: Enrollment) -> int:
    """Expire every unpaid order past its expiry time; return how many expired."""
    with app.database.sessions() as session:
        order_ids = queries.overdue_order_ids(session, app.clock.now())
    return sum(1 for order_id in order_ids if app.expire_order(order_id))


def open_classes_of_late_learners(app: Enrollment) -> int:
    """Open paid classes whose learner's Registered event came after the payment."""
    with app.database.sessions() as session:
        return open_waiting_classes(app, session)


def periodic(app: Enrollment, name: str, step: Callable[[Enrollment], int]) -> Job:
    """Wrap ``step`` into a runtime job that runs it every ``job_poll_seconds``."""

    async def run(stopping: asyncio.Event) -> None:
        logger.info("job %s started", name)
        while not stopping.is_set():
            try:
                changed = await asyncio.to_thread(step, app)
                if changed:
                    logger.info("job %s changed %d entries", name, changed)
            except Exception:
                # A failed round is retried on the next tick; the job keeps running.
                logger.exception("job %s failed; retrying in %.1f s", name, app.settings.job_poll_seconds)
            try:
                await asyncio.wait_for(stopping.wait(), timeout=app.settings.job_poll_seconds)
            except TimeoutError:
                pass
        logger.info("job %s stopped", name)

    return run


def build_jobs(app: Enrollment) -> list[Job]:
    return [
        periodic(app, "expire-orders", expire_overdue_orders),
        periodic(app, "open-late-classes", open_classes_of_late_learners),
    ]
