"""The learner's class for one training year: opening, course selection, qualification."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from enrollment_service.domain.calendar import ENROLLMENT_NAMESPACE, Window
from enrollment_service.domain.errors import (
    ClassNotOpen,
    CourseAlreadySelected,
    CourseConfirmed,
    CourseNotSelected,
    EmptySelection,
    LearningWindowClosed,
    YearAlreadyPaid,
)

CATEGORIES = ("political", "general", "job_skills")
SENIOR_GRADES = frozenset({"technician", "senior_technician"})


def requirement_for(grade: str) -> dict[str, int]:
    """Return the yearly hours per category: 技师 and 高级技师 40 = 12/12/16, others 24 = 7/7/10."""
    if grade in SENIOR_GRADES:
        return {"political": 12, "general": 12, "job_skills": 16, "total": 40}
    return {"political": 7, "general": 7, "job_skills": 10, "total": 24}


@dataclass(frozen=True)
class CourseChoice:
    """A catalog course as it was when the learner added it."""

    course_id: UUID
    category: str
    credit_hours: int
    title: str
    provider_name: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "course_id": self.course_id,
            "category": self.category,
            "credit_hours": self.credit_hours,
            "title": self.title,
            "provider_name": self.provider_name,
        }


class ClassStatus:
    NOT_ENROLLED = "not_enrolled"
    PENDING_PAYMENT = "pending_payment"
    LEARNING = "learning"
    QUALIFIED = "qualified"


class TrainingClass(Aggregate):
    """One class per learner and training year; its id is derived from both.

    The class exists from the first order on, so a second order for the same
    year finds it and its open order instead of creating another class.
    """

    @staticmethod
    def create_id(learner_id: UUID, training_year: int) -> UUID:
        return uuid5(ENROLLMENT_NAMESPACE, f"class:{learner_id}:{training_year}")

    @event("Created")
    def __init__(self, learner_id: UUID, training_year: int) -> None:
        self.learner_id = learner_id
        self.training_year = training_year
        self.open_order_id: UUID | None = None
        self.opened_by_order_id: UUID | None = None
        self.requirement: dict[str, int] | None = None
        self.learning_window: dict[str, str] | None = None
        self.draft: dict[UUID, dict[str, Any]] = {}
        self.confirmed: dict[UUID, dict[str, Any]] = {}
        self.qualified = False

    # --- orders and opening ---------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.opened_by_order_id is not None

    @property
    def status(self) -> str:
        if self.qualified:
            return ClassStatus.QUALIFIED
        if self.is_open:
            return ClassStatus.LEARNING
        if self.open_order_id is not None:
            return ClassStatus.PENDING_PAYMENT
        return ClassStatus.NOT_ENROLLED

    def attach_order(self, order_id: UUID) -> None:
        if self.is_open:
            raise YearAlreadyPaid(f"class {self.id} is already open")
        self._attach(order_id=order_id)

    @event("OrderAttached")
    def _attach(self, order_id: UUID) -> None:
        self.open_order_id = order_id

    def release_order(self, order_id: UUID) -> None:
        """Forget a cancelled or expired order so the year can be ordered again."""
        if self.open_order_id == order_id:
            self._release(order_id=order_id)

    @event("OrderReleased")
    def _release(self, order_id: UUID) -> None:
        self.open_order_id = None

    def open(
        self,
        order_id: UUID,
        grade: str,
        is_make_up: bool,
        learning_window: dict[str, str],
        opened_at: datetime,
    ) -> bool:
        """Open the class for a paid order; return False when it is already open.

        The requirement is fixed here from the grade the learner has today.
        """
        if self.is_open:
            return False
        self._open(
            learner_id=self.learner_id,
            training_year=self.training_year,
            order_id=order_id,
            grade=grade,
            is_make_up=is_make_up,
            requirement=requirement_for(grade),
            learning_window=learning_window,
            opened_at=opened_at,
        )
        return True

    @event("Opened")
    def _open(
        self,
        learner_id: UUID,
        training_year: int,
        order_id: UUID,
        grade: str,
        is_make_up: bool,
        requirement: dict[str, int],
        learning_window: dict[str, str],
        opened_at: datetime,
    ) -> None:
        self.opened_by_order_id = order_id
        self.open_order_id = None
        self.requirement = requirement
        self.learning_window = learning_window

    # --- course selection -----------------------------------------------------
    #
    # Rule: a draft course (added, not yet confirmed) may be removed. A
    # confirmed course can never be dropped, because confirming publishes
    # CoursesSelected and the learning service lets the learner start it at once.

    def _check_selection_allowed(self, today: date) -> None:
        if not self.is_open:
            raise ClassNotOpen(f"class {self.id} is not open")
        assert self.learning_window is not None  # set by _open
        if not Window.from_dict(self.learning_window).contains(today):
            raise LearningWindowClosed(f"class {self.id} does not learn on {today}")

    def add_course(self, course: CourseChoice, today: date, added_at: datetime) -> None:
        self._check_selection_allowed(today)
        if course.course_id in self.draft or course.course_id in self.confirmed:
            raise CourseAlreadySelected(f"course {course.course_id} already in class {self.id}")
        self._add(course=course.to_dict(), added_at=added_at)

    @event("CourseAdded")
    def _add(self, course: dict[str, Any], added_at: datetime) -> None:
        self.draft[course["course_id"]] = course

    def remove_course(self, course_id: UUID, today: date) -> None:
        self._check_selection_allowed(today)
        if course_id in self.confirmed:
            raise CourseConfirmed(f"course {course_id} is confirmed in class {self.id}")
        if course_id not in self.draft:
            raise CourseNotSelected(f"course {course_id} not in class {self.id}")
        self._remove(course_id=course_id)

    @event("CourseRemoved")
    def _remove(self, course_id: UUID) -> None:
        del self.draft[course_id]

    def confirm_selection(self, today: date, confirmed_at: datetime) -> list[dict[str, Any]]:
        """Confirm every draft course; return the courses of this round."""
        self._check_selection_allowed(today)
        if not self.draft:
            raise EmptySelection(f"class {self.id} has no draft course")
        courses = list(self.draft.values())
        self._confirm(
            learner_id=self.learner_id,
            training_year=self.training_year,
            courses=courses,
            confirmed_at=confirmed_at,
        )
        return courses

    @event("SelectionConfirmed")
    def _confirm(
        self,
        learner_id: UUID,
        training_year: int,
        courses: list[dict[str, Any]],
        confirmed_at: datetime,
    ) -> None:
        for course in courses:
            self.confirmed[course["course_id"]] = course
        self.draft = {}

    # --- qualification --------------------------------------------------------

    def mark_qualified(self, certificate_id: UUID, qualified_at: datetime) -> bool:
        """Record the issued certificate; return False when it was already recorded."""
        if self.qualified:
            return False
        self._qualify(certificate_id=certificate_id, qualified_at=qualified_at)
        return True

    @event("Qualified")
    def _qualify(self, certificate_id: UUID, qualified_at: datetime) -> None:
        self.qualified = True
