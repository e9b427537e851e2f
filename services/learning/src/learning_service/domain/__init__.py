"""Domain of the learning service; imports no web, messaging or database framework."""

from learning_service.domain.catalog import (
    Chapter,
    Course,
    CourseDetails,
    InvalidCourse,
    Provider,
    course_id_for,
    provider_aggregate_id,
)
from learning_service.domain.errors import (
    ChapterNotFound,
    ClassNotFound,
    CourseNotFound,
    CourseNotSelected,
    LearningClosed,
    PlaybackTakenOver,
    ProviderNotFound,
)
from learning_service.domain.playback import Interval, PlaybackRules, credit_step, merge_intervals
from learning_service.domain.progress import CourseProgress, course_progress_id

__all__ = [
    "Chapter",
    "ChapterNotFound",
    "ClassNotFound",
    "Course",
    "CourseDetails",
    "CourseNotFound",
    "CourseNotSelected",
    "CourseProgress",
    "Interval",
    "InvalidCourse",
    "LearningClosed",
    "PlaybackRules",
    "PlaybackTakenOver",
    "Provider",
    "ProviderNotFound",
    "course_id_for",
    "course_progress_id",
    "credit_step",
    "merge_intervals",
    "provider_aggregate_id",
]
