"""Integration events of the continuing-education platform.

These models are the public contract between services and towards downstream
analytics. See ``contracts/README.md`` for the naming and versioning rules.
"""

from education_contracts.base import (
    Category,
    EventMeta,
    Grade,
    HourRequirement,
    IntegrationEvent,
)
from education_contracts.events import (
    ALL_EVENTS,
    CertificateIssued,
    CertificateRevoked,
    ClassOpened,
    CourseCompleted,
    CoursePublished,
    CoursesSelected,
    CourseWithdrawn,
    InvoiceIssued,
    LearnerProfileChanged,
    OrderCancelled,
    OrderPaid,
    OrderPlaced,
    QuizPassed,
    Registered,
    RefundFlagged,
    SelectedCourse,
)
from education_contracts.registry import event_class_for_type
from education_contracts.topics import Topics

__all__ = [
    "ALL_EVENTS",
    "Category",
    "CertificateIssued",
    "CertificateRevoked",
    "ClassOpened",
    "CourseCompleted",
    "CoursePublished",
    "CourseWithdrawn",
    "CoursesSelected",
    "EventMeta",
    "Grade",
    "HourRequirement",
    "IntegrationEvent",
    "InvoiceIssued",
    "LearnerProfileChanged",
    "OrderCancelled",
    "OrderPaid",
    "OrderPlaced",
    "QuizPassed",
    "RefundFlagged",
    "Registered",
    "SelectedCourse",
    "Topics",
    "event_class_for_type",
]
