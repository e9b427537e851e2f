"""Heartbeat handling: check the learner may learn, then credit the played span.

One heartbeat costs a few indexed reads and two row locks (the learner's
player session, then the learner's chapter row) in one short transaction.
The event store is touched only when a chapter becomes fully watched.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventplatform.clock import Clock, shanghai_today
from eventplatform.readmodel import Database
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from learning_service.application import ChapterMilestone, Learning
from learning_service.domain import (
    ChapterNotFound,
    ClassNotFound,
    CourseNotSelected,
    LearningClosed,
    PlaybackRules,
    PlaybackTakenOver,
)
from learning_service.domain.playback import (
    PreviousBeat,
    credit_step,
    is_fully_watched,
    merge_intervals,
    percent,
    watched_seconds,
)
from learning_service.readmodels import ChapterRow, ClassRow, SelectedCourseRow, course_chapters
from learning_service.watchstate import (
    ChapterWatchRow,
    PlayerSessionRow,
    SupersededSessionRow,
    lock_row,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heartbeat:
    learner_id: UUID
    class_id: UUID
    course_id: UUID
    chapter_id: UUID
    position_seconds: float
    session_id: UUID


@dataclass(frozen=True)
class HeartbeatResult:
    counted_seconds: float
    chapter_progress_percent: int
    chapter_completed: bool
    course_progress_percent: int
    course_completed: bool


class HeartbeatRecorder:
    def __init__(self, database: Database, application: Learning, clock: Clock, rules: PlaybackRules) -> None:
        self.database = database
        self.application = application
        self.clock = clock
        self.rules = rules

    def record(self, beat: Heartbeat) -> HeartbeatResult:
        """Credit one heartbeat and record a chapter milestone when the chapter is done."""
        now = self.clock.now()
        with self.database.transaction() as session:
            selected = check_learning_allowed(session, beat.learner_id, beat.class_id, beat.course_id, self.clock)
            chapters = course_chapters(session, beat.course_id)
            chapter = next((c for c in chapters if c.chapter_id == beat.chapter_id), None)
            if chapter is None:
                raise ChapterNotFound(f"chapter {beat.chapter_id} not in course {beat.course_id}")

            self._claim_player(session, beat, now)
            row, counted = self._credit(session, beat, chapter, now)
            milestone_due = row.fully_watched_at is not None and not row.milestone_recorded
            course_percent, course_done = _course_percent(session, beat, chapters)
            chapter_done = row.fully_watched_at is not None
            chapter_percent = percent(row.watched_seconds, chapter.duration_seconds, chapter_done)

        if milestone_due:
            self._record_milestone(beat, selected, chapters)
        return HeartbeatResult(
            counted_seconds=round(counted, 1),
            chapter_progress_percent=chapter_percent,
            chapter_completed=chapter_done,
            course_progress_percent=course_percent,
            course_completed=course_done,
        )

    def _claim_player(self, session: Session, beat: Heartbeat, now: datetime) -> None:
        """Let the newest player session of a learner count; reject superseded ones."""
        player = lock_row(session, PlayerSessionRow, {"active_session_id": None}, learner_id=beat.learner_id)
        if player.active_session_id == beat.session_id:
            return
        if session.get(SupersededSessionRow, beat.session_id) is not None:
            raise PlaybackTakenOver(f"session {beat.session_id} of learner {beat.learner_id} was superseded")
        if player.active_session_id is not None:
            session.add(SupersededSessionRow(
                session_id=player.active_session_id, learner_id=beat.learner_id, superseded_at=now,
            ))
            logger.info("learner %s: session %s took over from %s",
                        beat.learner_id, beat.session_id, player.active_session_id)
        player.active_session_id = beat.session_id
        player.taken_over_at = now

    def _credit(
        self, session: Session, beat: Heartbeat, chapter: ChapterRow, now: datetime
    ) -> tuple[ChapterWatchRow, float]:
        row: ChapterWatchRow = lock_row(
            session, ChapterWatchRow,
            {"course_id": beat.course_id, "duration_seconds": chapter.duration_seconds, "intervals": [],
             "watched_seconds": 0.0, "position_seconds": 0.0, "milestone_recorded": False},
            learner_id=beat.learner_id, class_id=beat.class_id, chapter_id=beat.chapter_id,
        )
        position = min(max(beat.position_seconds, 0.0), float(chapter.duration_seconds))
        previous = None
        if row.last_session_id == beat.session_id and row.last_beat_at is not None:
            previous = PreviousBeat(row.position_seconds, row.last_beat_at)

        counted = 0.0
        played = credit_step(previous, position, now, self.rules)
        if played is not None:
            intervals = [(low, high) for low, high in row.intervals]
            merged = merge_intervals(intervals, played, chapter.duration_seconds)
            watched = watched_seconds(merged)
            counted = watched - row.watched_seconds
            row.intervals = [[low, high] for low, high in merged]
            row.watched_seconds = watched

        row.position_seconds = position
        row.last_session_id = beat.session_id
        row.last_beat_at = now
        if row.fully_watched_at is None and is_fully_watched(row.watched_seconds, chapter.duration_seconds, self.rules):
            row.fully_watched_at = now
            logger.info("learner %s fully watched chapter %s", beat.learner_id, beat.chapter_id)
        return row, counted

    def _record_milestone(self, beat: Heartbeat, selected: SelectedCourseRow, chapters: list[ChapterRow]) -> None:
        """Record the chapter milestone, then mark it recorded.

        A crash between the two leaves the flag unset. The next heartbeat on the
        chapter then records the milestone again, and the aggregate ignores the repeat.
        """
        self.application.complete_chapter(ChapterMilestone(
            learner_id=beat.learner_id,
            class_id=beat.class_id,
            course_id=beat.course_id,
            chapter_id=beat.chapter_id,
            training_year=selected.training_year,
            category=selected.category,
            credit_hours=selected.credit_hours,
            chapter_ids=[chapter.chapter_id for chapter in chapters],
        ))
        with self.database.transaction() as session:
            row = session.get(ChapterWatchRow, (beat.learner_id, beat.class_id, beat.chapter_id))
            if row is not None:
                row.milestone_recorded = True


def check_learning_allowed(
    session: Session, learner_id: UUID, class_id: UUID, course_id: UUID, clock: Clock
) -> SelectedCourseRow:
    """Return the selection if the learner may learn this course today, else raise."""
    found = session.execute(
        select(ClassRow, SelectedCourseRow)
        .outerjoin(SelectedCourseRow, and_(
            SelectedCourseRow.class_id == ClassRow.class_id, SelectedCourseRow.course_id == course_id,
        ))
        .where(ClassRow.class_id == class_id)
    ).first()
    if found is None or found[0].learner_id != learner_id:
        raise ClassNotFound(f"class {class_id} not opened for learner {learner_id}")
    opened, selected = found
    today = shanghai_today(clock)
    if not opened.window_starts_on <= today <= opened.window_ends_on:
        raise LearningClosed(f"class {class_id}: {today} outside the learning window")
    if selected is None:
        raise CourseNotSelected(f"course {course_id} not selected in class {class_id}")
    return selected


def _course_percent(session: Session, beat: Heartbeat, chapters: list[ChapterRow]) -> tuple[int, bool]:
    rows = session.scalars(select(ChapterWatchRow).where(
        ChapterWatchRow.learner_id == beat.learner_id,
        ChapterWatchRow.class_id == beat.class_id,
        ChapterWatchRow.course_id == beat.course_id,
    )).all()
    return course_progress(rows, chapters)


def course_progress(rows: Sequence[ChapterWatchRow], chapters: Sequence[ChapterRow]) -> tuple[int, bool]:
    """Return the course's percent watched and whether every chapter is fully watched."""
    by_chapter = {row.chapter_id: row for row in rows}
    total = sum(chapter.duration_seconds for chapter in chapters)
    watched = 0.0
    done = bool(chapters)
    for chapter in chapters:
        row = by_chapter.get(chapter.chapter_id)
        if row is None or row.fully_watched_at is None:
            done = False
            watched += row.watched_seconds if row else 0.0
        else:
            watched += chapter.duration_seconds
    return percent(watched, total, done), done
