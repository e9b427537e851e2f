"""Read-side queries behind the API: catalog listings and a learner's progress views."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventplatform.clock import Clock, shanghai_today
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning_service.domain import ClassNotFound, CourseNotFound, CourseNotSelected
from learning_service.domain.playback import PlaybackRules, is_fully_watched, percent
from learning_service.heartbeats import course_progress
from learning_service.readmodels import (
    ChapterRow,
    ClassRow,
    CourseCompletionRow,
    CourseRow,
    ProviderRow,
    SelectedCourseRow,
    course_chapters,
)
from learning_service.watchstate import ChapterWatchRow

CATEGORY_LABELS = {"political": "思政", "general": "通识", "job_skills": "岗位技能提升"}


def video_url(chapter_id: UUID) -> str:
    return f"/api/learning/chapters/{chapter_id}/video"


def course_summary(course: CourseRow) -> dict[str, Any]:
    return {
        "course_id": str(course.course_id),
        "code": course.code,
        "title": course.title,
        "category": course.category,
        "category_label": CATEGORY_LABELS.get(course.category, course.category),
        "credit_hours": course.credit_hours,
        "provider_id": course.provider_id,
        "provider_name": course.provider_name,
        "description": course.description,
        "chapter_count": course.chapter_count,
        "total_duration_seconds": course.total_duration_seconds,
        "status": course.status,
    }


def list_providers(session: Session) -> list[dict[str, str]]:
    rows = session.scalars(select(ProviderRow).order_by(ProviderRow.provider_id))
    return [{"provider_id": row.provider_id, "name": row.name} for row in rows]


def list_courses(
    session: Session, category: str | None, provider_id: str | None, include_withdrawn: bool
) -> list[dict[str, Any]]:
    query = select(CourseRow).order_by(CourseRow.category, CourseRow.code)
    if category:
        query = query.where(CourseRow.category == category)
    if provider_id:
        query = query.where(CourseRow.provider_id == provider_id)
    if not include_withdrawn:
        query = query.where(CourseRow.status == "published")
    return [course_summary(row) for row in session.scalars(query)]


def course_detail(session: Session, course_id: UUID) -> dict[str, Any]:
    course = session.get(CourseRow, course_id)
    if course is None:
        raise CourseNotFound(f"course {course_id} not found")
    chapters = [
        {"chapter_id": str(chapter.chapter_id), "number": chapter.number, "title": chapter.title,
         "duration_seconds": chapter.duration_seconds, "video_url": video_url(chapter.chapter_id)}
        for chapter in course_chapters(session, course_id)
    ]
    return {**course_summary(course), "chapters": chapters}


def learner_class(session: Session, learner_id: UUID, class_id: UUID) -> ClassRow:
    opened = session.get(ClassRow, class_id)
    if opened is None or opened.learner_id != learner_id:
        raise ClassNotFound(f"class {class_id} not opened for learner {learner_id}")
    return opened


def my_courses(session: Session, learner_id: UUID, class_id: UUID, clock: Clock) -> dict[str, Any]:
    """Return the learner's selected courses in a class with progress."""
    opened = learner_class(session, learner_id, class_id)
    selections = session.scalars(
        select(SelectedCourseRow).where(SelectedCourseRow.class_id == class_id)
        .order_by(SelectedCourseRow.category, SelectedCourseRow.selected_at)
    ).all()
    watch_rows = session.scalars(select(ChapterWatchRow).where(
        ChapterWatchRow.learner_id == learner_id, ChapterWatchRow.class_id == class_id,
    )).all()
    completions = {row.course_id: row.completed_at for row in session.scalars(
        select(CourseCompletionRow).where(CourseCompletionRow.class_id == class_id)
    )}
    courses = []
    for selection in selections:
        course = session.get(CourseRow, selection.course_id)
        chapters = course_chapters(session, selection.course_id)
        rows = [row for row in watch_rows if row.course_id == selection.course_id]
        progress_percent, done = course_progress(rows, chapters)
        courses.append({
            "course_id": str(selection.course_id),
            "code": course.code if course else "",
            "title": course.title if course else "",
            "category": selection.category,
            "category_label": CATEGORY_LABELS.get(selection.category, selection.category),
            "credit_hours": selection.credit_hours,
            "provider_name": course.provider_name if course else "",
            "progress_percent": progress_percent,
            "completed": done,
            "completed_at": _iso(completions.get(selection.course_id)),
        })
    today = shanghai_today(clock)
    return {
        "class_id": str(class_id),
        "training_year": opened.training_year,
        "learning_window": {"starts_on": opened.window_starts_on.isoformat(),
                            "ends_on": opened.window_ends_on.isoformat()},
        "learning_open": opened.window_starts_on <= today <= opened.window_ends_on,
        "courses": courses,
    }


def my_course_detail(
    session: Session, learner_id: UUID, class_id: UUID, course_id: UUID, rules: PlaybackRules
) -> dict[str, Any]:
    """Return one selected course with per-chapter progress and where to resume."""
    learner_class(session, learner_id, class_id)
    if session.get(SelectedCourseRow, (class_id, course_id)) is None:
        raise CourseNotSelected(f"course {course_id} not selected in class {class_id}")
    detail = course_detail(session, course_id)
    chapters = course_chapters(session, course_id)
    rows = session.scalars(select(ChapterWatchRow).where(
        ChapterWatchRow.learner_id == learner_id, ChapterWatchRow.class_id == class_id,
        ChapterWatchRow.course_id == course_id,
    )).all()
    by_chapter = {row.chapter_id: row for row in rows}
    detail["chapters"] = [_chapter_progress(chapter, by_chapter.get(chapter.chapter_id), rules)
                          for chapter in chapters]
    detail["progress_percent"], detail["completed"] = course_progress(list(rows), chapters)
    detail["resume"] = _resume_point(rows, chapters)
    return detail


def _chapter_progress(chapter: ChapterRow, row: ChapterWatchRow | None, rules: PlaybackRules) -> dict[str, Any]:
    watched = row.watched_seconds if row else 0.0
    done = row is not None and (row.fully_watched_at is not None
                                or is_fully_watched(watched, chapter.duration_seconds, rules))
    return {
        "chapter_id": str(chapter.chapter_id),
        "number": chapter.number,
        "title": chapter.title,
        "duration_seconds": chapter.duration_seconds,
        "video_url": video_url(chapter.chapter_id),
        "watched_seconds": round(watched, 1),
        "progress_percent": percent(watched, chapter.duration_seconds, done),
        "completed": done,
        "position_seconds": row.position_seconds if row else 0.0,
    }


def _resume_point(rows: Any, chapters: list[ChapterRow]) -> dict[str, Any] | None:
    """Return where the player resumes: the latest heartbeat, or the next unfinished chapter.

    A chapter watched to the end sends the learner on to the first chapter
    not yet fully watched, instead of replaying the finished one from 0.
    """
    played = [row for row in rows if row.last_beat_at is not None]
    if played:
        latest = max(played, key=lambda row: row.last_beat_at)
        if latest.fully_watched_at is None:
            return {"chapter_id": str(latest.chapter_id), "position_seconds": latest.position_seconds}
        by_chapter = {row.chapter_id: row for row in rows}
        for chapter in sorted(chapters, key=lambda chapter: chapter.number):
            row = by_chapter.get(chapter.chapter_id)
            if row is None or row.fully_watched_at is None:
                position = row.position_seconds if row is not None else 0.0
                return {"chapter_id": str(chapter.chapter_id), "position_seconds": position}
        return {"chapter_id": str(latest.chapter_id), "position_seconds": latest.position_seconds}
    if chapters:
        return {"chapter_id": str(chapters[0].chapter_id), "position_seconds": 0.0}
    return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
