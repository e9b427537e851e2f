"""Heartbeats on SQLite, the backend of the local stack.

SQLite returns stored datetimes without a timezone. The watch-state tables
must still give the heartbeat rules aware values, or the second heartbeat of
a player fails when it subtracts the stored time from "now".
"""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.readmodel import Database
from learning_service.domain import PlaybackRules
from learning_service.heartbeats import Heartbeat, HeartbeatRecorder
from learning_service.readmodels import ChapterRow, ClassRow, ReadModel, SelectedCourseRow
from learning_service.watchstate import ChapterWatchRow, WatchState

CHAPTER_SECONDS = 20


@pytest.fixture
def recorder(tmp_path) -> HeartbeatRecorder:
    database = Database(f"sqlite:///{tmp_path / 'learning.sqlite'}", ReadModel.metadata)
    database.metadata.create_all(database.engine)
    WatchState.metadata.create_all(database.engine)
    clock = FixedClock(shanghai_noon(date(2026, 6, 1)))
    # No chapter in these tests becomes fully watched, so no milestone reaches the event store.
    return HeartbeatRecorder(database, application=None, clock=clock, rules=PlaybackRules())  # type: ignore[arg-type]


def add_selected_course(recorder: HeartbeatRecorder) -> Heartbeat:
    """Store a class, a selected course and one chapter, and return a first heartbeat on it."""
    learner_id, class_id, course_id, chapter_id = (uuid.uuid4() for _ in range(4))
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    with recorder.database.transaction() as session:
        session.add(ClassRow(class_id=class_id, learner_id=learner_id, training_year=2026,
                             window_starts_on=date(2026, 5, 6), window_ends_on=date(2026, 12, 15),
                             opened_at=moment))
        session.add(SelectedCourseRow(class_id=class_id, course_id=course_id, learner_id=learner_id,
                                      training_year=2026, category="political", credit_hours=2,
                                      selected_at=moment))
        session.add(ChapterRow(chapter_id=chapter_id, course_id=course_id, number=1, title="第1章",
                               duration_seconds=CHAPTER_SECONDS, video_file="demo-political.mp4"))
    return Heartbeat(learner_id=learner_id, class_id=class_id, course_id=course_id,
                     chapter_id=chapter_id, position_seconds=0.0, session_id=uuid.uuid4())


def beat_at(recorder: HeartbeatRecorder, first: Heartbeat, position: float, after_seconds: float):
    recorder.clock.advance(timedelta(seconds=after_seconds))  # type: ignore[attr-defined]
    return recorder.record(replace(first, position_seconds=position))


def test_second_heartbeat_is_credited_on_sqlite(recorder):
    first = add_selected_course(recorder)

    recorder.record(first)
    result = beat_at(recorder, first, 10.0, after_seconds=10)

    assert result.counted_seconds == 10.0
    assert result.chapter_progress_percent == 50


def test_stored_beat_time_reads_back_aware_on_sqlite(recorder):
    first = add_selected_course(recorder)

    recorder.record(first)

    with recorder.database.sessions() as session:
        row = session.get(ChapterWatchRow, (first.learner_id, first.class_id, first.chapter_id))
    assert row.last_beat_at.tzinfo is not None
    assert row.last_beat_at == recorder.clock.now()


def test_jump_forward_still_counts_nothing_on_sqlite(recorder):
    first = add_selected_course(recorder)

    recorder.record(first)
    result = beat_at(recorder, first, 19.0, after_seconds=2)

    assert result.counted_seconds == 0
    assert result.chapter_progress_percent == 0
