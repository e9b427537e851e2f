"""Local projections: read models a service builds from its own recorded events.

A projection function gets the session and one domain event. The projector
applies notifications in order and moves its position in the same
transaction, so each event changes the read model once. The position row is
locked while a batch is applied, so two processes running the projector take
turns instead of applying the same event twice.
"""

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventplatform.readmodel import Database, utcnow
from eventplatform.store import ServiceApplication

logger = logging.getLogger(__name__)

Projection = Callable[[Session, Any], None]


class LocalProjector:
    def __init__(
        self,
        *,
        name: str,
        application: ServiceApplication,
        database: Database,
        projections: Sequence[Projection],
        batch_size: int = 200,
        poll_seconds: float = 0.2,
    ) -> None:
        self.name = name
        self.application = application
        self.database = database
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()

    def catch_up(self) -> int:
        """Apply every recorded event not yet projected; return how many were applied."""
        if not self.projections:
            return 0
        applied = 0
        with self._lock:
            while True:
                count = self._apply_next_batch()
                applied += count
                if count < self.batch_size:
                    return applied

    async def run(self, stopping: asyncio.Event) -> None:
        logger.info("projector %s started", self.name)
        while not stopping.is_set():
            applied = await asyncio.to_thread(self.catch_up)
            if applied == 0:
                try:
                    await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass
        logger.info("projector %s stopped", self.name)

    def _apply_next_batch(self) -> int:
        positions = self.database.metadata.tables["projection_positions"]
        with self.database.transaction() as session:
            position = self._locked_position(session, positions)
            notifications = self.application.recorder.select_notifications(
                position + 1, self.batch_size
            )
            if not notifications:
                return 0
            mapper = self.application.mapper
            for notification in notifications:
                domain_event = mapper.to_domain_event(notification)
                for project in self.projections:
                    project(session, domain_event)
            session.execute(
                positions.update()
                .where(positions.c.projection == self.name)
                .values(notification_id=notifications[-1].id, updated_at=utcnow())
            )
            return len(notifications)

    def _locked_position(self, session: Session, positions: Any) -> int:
        query = select(positions.c.notification_id).where(positions.c.projection == self.name)
        if not self.database.is_sqlite:
            query = query.with_for_update()
        row = session.execute(query).first()
        if row is not None:
            return int(row[0])
        session.execute(
            positions.insert().values(projection=self.name, notification_id=0, updated_at=utcnow())
        )
        session.flush()
        return 0
