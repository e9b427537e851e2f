"""Errors raised by the enrollment rules; the API maps each to a Chinese message."""

from eventplatform.errors import Conflict, DomainError, NotFound


class InvalidCalendar(DomainError):
    """A training year's windows or fee are inconsistent."""


class CalendarNotFound(NotFound):
    """No calendar is configured for the training year."""


class EnrollmentClosed(DomainError):
    """Today lies outside every window in which the year can be enrolled."""


class LearnerNotFound(NotFound):
    """The learner has not registered (no Registered event arrived yet)."""


class LearnerInactive(DomainError):
    """The regional office marked the learner as having left the post."""


class InvalidInvoiceTitle(DomainError):
    """The invoice title is empty or too long."""


class InvalidCreditCode(DomainError):
    """The unified social credit code does not have the GB 32100-2015 form."""


class InvalidEmail(DomainError):
    """The e-mail address for the e-invoice is not valid."""


class YearAlreadyPaid(Conflict):
    """The learner's class for this year is already paid and open."""


class OrderNotFound(NotFound):
    """No order with this id belongs to the caller."""


class OrderNotPending(Conflict):
    """The order is already paid, cancelled or expired."""


class ClassNotFound(NotFound):
    """No class with this id belongs to the caller."""


class ClassNotOpen(Conflict):
    """Courses can be selected only after payment opened the class."""


class LearningWindowClosed(DomainError):
    """Today lies outside the class's learning window."""


class CourseNotAvailable(NotFound):
    """The course is unknown or was withdrawn from the catalog."""


class CourseAlreadySelected(Conflict):
    """The course is already in the class's draft or confirmed selection."""


class CourseNotSelected(NotFound):
    """The course is not in the class's selection."""


class CourseConfirmed(Conflict):
    """A confirmed course cannot be dropped."""


class EmptySelection(Conflict):
    """There is no draft course to confirm."""
