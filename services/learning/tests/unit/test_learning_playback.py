"""Pure rules that turn heartbeats into watched intervals."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from learning_service.domain import CourseProgress, PlaybackRules, credit_step, merge_intervals
from learning_service.domain.playback import PreviousBeat, percent

RULES = PlaybackRules(max_speed=1.25, max_gap_seconds=90, tolerance_seconds=2)
START = datetime(2026, 6, 1, 4, tzinfo=UTC)


def beat_after(seconds: float, previous_position: float = 100.0) -> PreviousBeat:
    return PreviousBeat(previous_position, START - timedelta(seconds=seconds))


def test_normal_step_is_credited():
    assert credit_step(beat_after(30), 130, START, RULES) == (100, 130)


def test_first_heartbeat_credits_nothing():
    assert credit_step(None, 30, START, RULES) is None


def test_jump_forward_credits_nothing():
    assert credit_step(beat_after(30), 400, START, RULES) is None


def test_speed_over_limit_credits_nothing():
    assert credit_step(beat_after(30), 100 + 30 * 1.5, START, RULES) is None


def test_speed_at_limit_is_credited():
    assert credit_step(beat_after(30), 100 + 30 * 1.25, START, RULES) == (100, 137.5)


def test_long_gap_credits_nothing():
    assert credit_step(beat_after(600), 130, START, RULES) is None


def test_backward_seek_credits_nothing():
    assert credit_step(beat_after(30), 50, START, RULES) is None


def test_merge_counts_overlap_once():
    merged = merge_intervals([(0, 30), (60, 90)], (20, 70), 100)
    assert merged == [(0, 90)]


def test_merge_clips_to_duration():
    assert merge_intervals([], (90, 130), 100) == [(90, 100)]


def test_percent_reaches_100_only_when_complete():
    assert percent(99.9, 100, complete=False) == 99
    assert percent(99.9, 100, complete=True) == 100


def test_course_completes_once_after_all_chapters():
    chapters = [uuid4(), uuid4()]
    progress = CourseProgress(learner_id=uuid4(), class_id=uuid4(), course_id=uuid4(), training_year=2026,
                              category="political", credit_hours=2, chapter_ids=chapters)
    progress.complete_chapter(chapters[0], START)
    progress.complete_chapter(chapters[0], START)
    assert not progress.completed
    progress.complete_chapter(chapters[1], START)
    progress.complete_chapter(chapters[1], START)
    completions = [e for e in progress.collect_events() if isinstance(e, CourseProgress.CourseCompleted)]
    assert len(completions) == 1
