"""Enrollment rules: calendar, orders, classes and course selection (no framework imports)."""

from enrollment_service.domain.calendar import (
    EnrollmentTerms,
    TrainingYear,
    Window,
    YearCalendar,
    enrollment_terms,
    notice_calendar,
)
from enrollment_service.domain.classes import (
    CATEGORIES,
    ClassStatus,
    CourseChoice,
    TrainingClass,
    requirement_for,
)
from enrollment_service.domain.orders import InvoiceDetails, Order, OrderStatus, order_number

__all__ = [
    "CATEGORIES",
    "ClassStatus",
    "CourseChoice",
    "EnrollmentTerms",
    "InvoiceDetails",
    "Order",
    "OrderStatus",
    "TrainingClass",
    "TrainingYear",
    "Window",
    "YearCalendar",
    "enrollment_terms",
    "notice_calendar",
    "order_number",
    "requirement_for",
]
