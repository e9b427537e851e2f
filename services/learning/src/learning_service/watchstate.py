"""SQL state of watch progress: player sessions and each learner's watched intervals per chapter.

This is state, not a read model: it is not rebuilt from events, so its tables
live on their own metadata and ``rebuild-read-models`` leaves them alone.
Heartbeats update these rows under row locks; only milestones reach the event store.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventplatform.readmodel import use_aware_datetimes
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, Uuid, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class WatchState(DeclarativeBase):
    pass


class PlayerSessionRow(WatchState):
    """The one player session of a learner whose heartbeats count."""

    __tablename__ = "player_sessions"

    learner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    active_session_id: Mapped[UUID | None] = mapped_column(Uuid, nullable=True)
    taken_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SupersededSessionRow(WatchState):
    """A player session that a newer one replaced; its heartbeats get 409 from then on."""

    __tablename__ = "superseded_sessions"

    session_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid)
    superseded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChapterWatchRow(WatchState):
    """Watched intervals and playback position of one learner in one chapter of one class."""

    __tablename__ = "chapter_watch"

    learner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    chapter_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    position_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    last_session_id: Mapped[UUID | None] = mapped_column(Uuid, nullable=True)
    last_beat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    fully_watched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    milestone_recorded: Mapped[bool] = mapped_column(Boolean, default=False)


# ``Database`` prepares only the read-model metadata, so these tables get the
# aware-datetime type here. SQLite returns naive datetimes, and the heartbeat rules
# subtract the stored ``last_beat_at`` from an aware "now".
use_aware_datetimes(WatchState.metadata)


def lock_row(session: Session, row_class: type[Any], defaults: dict[str, Any], **key: Any) -> Any:
    """Return the row with primary key ``key``, created if missing, locked FOR UPDATE.

    The usual case (the row exists) costs one statement. A missing row is
    inserted with ON CONFLICT DO NOTHING, so two first requests for the same
    key do not fail. On PostgreSQL the second request then waits for the first one's lock.
    """
    query = select(row_class).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(row_class).values(**key, **defaults).on_conflict_do_nothing())
    return session.scalars(query).one()
