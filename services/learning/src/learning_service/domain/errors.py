"""Errors raised by the learning rules; the API maps each to a status and a Chinese message."""

from eventplatform.errors import Conflict, DomainError, NotFound


class ProviderNotFound(NotFound):
    """A course names a provider that is not in the catalog."""


class CourseNotFound(NotFound):
    """The course id is not in the catalog."""


class ChapterNotFound(NotFound):
    """The chapter id does not belong to the course."""


class ClassNotFound(NotFound):
    """No opened class with this id belongs to the caller."""


class CourseNotSelected(DomainError):
    """The course is not selected in the class."""


class LearningClosed(DomainError):
    """Today is outside the class's learning window."""


class PlaybackTakenOver(Conflict):
    """A newer player session of the same learner took over; this one no longer counts."""
