"""The training calendar: per-year windows, fee, and which year can be enrolled on a day."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from enrollment_service.domain.errors import EnrollmentClosed, InvalidCalendar

ENROLLMENT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:gqjy:enrollment")


@dataclass(frozen=True)
class Window:
    """An inclusive range of Asia/Shanghai calendar days."""

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.starts_on > self.ends_on:
            raise InvalidCalendar(f"window starts {self.starts_on} after it ends {self.ends_on}")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def covers(self, other: "Window") -> bool:
        return self.starts_on <= other.starts_on and other.ends_on <= self.ends_on

    def to_dict(self) -> dict[str, str]:
        return {"starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Window":
        return cls(date.fromisoformat(str(data["starts_on"])), date.fromisoformat(str(data["ends_on"])))


@dataclass(frozen=True)
class YearCalendar:
    """The operator's settings for one training year.

    ``make_up_window`` is the period inside this year during which learners
    make up earlier years (往年补学); it does not concern this year's own class.
    """

    training_year: int
    label: str
    is_demo: bool
    enrollment_window: Window
    learning_window: Window
    make_up_window: Window
    invoice_delay_days: int
    fee_fen: int

    def __post_init__(self) -> None:
        if not 2000 <= self.training_year <= 2100:
            raise InvalidCalendar(f"training year {self.training_year} outside 2000..2100")
        if self.fee_fen <= 0:
            raise InvalidCalendar(f"fee {self.fee_fen} fen must be positive")
        if not 0 <= self.invoice_delay_days <= 60:
            raise InvalidCalendar(f"invoice delay {self.invoice_delay_days} days outside 0..60")
        if not self.learning_window.covers(self.enrollment_window):
            raise InvalidCalendar("the enrollment window must lie inside the learning window")

    def to_dict(self) -> dict[str, Any]:
        return {
            "training_year": self.training_year,
            "label": self.label,
            "is_demo": self.is_demo,
            "enrollment_window": self.enrollment_window.to_dict(),
            "learning_window": self.learning_window.to_dict(),
            "make_up_window": self.make_up_window.to_dict(),
            "invoice_delay_days": self.invoice_delay_days,
            "fee_fen": self.fee_fen,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "YearCalendar":
        return cls(
            training_year=int(data["training_year"]),
            label=str(data["label"]),
            is_demo=bool(data["is_demo"]),
            enrollment_window=Window.from_dict(data["enrollment_window"]),
            learning_window=Window.from_dict(data["learning_window"]),
            make_up_window=Window.from_dict(data["make_up_window"]),
            invoice_delay_days=int(data["invoice_delay_days"]),
            fee_fen=int(data["fee_fen"]),
        )


def notice_calendar(training_year: int, fee_fen: int, label: str = "") -> YearCalendar:
    """Build a year with the dates of the 2026 notice (05-06..09-30, 05-06..12-15, 10-08..12-15)."""
    return YearCalendar(
        training_year=training_year,
        label=label or f"{training_year}年度",
        is_demo=False,
        enrollment_window=Window(date(training_year, 5, 6), date(training_year, 9, 30)),
        learning_window=Window(date(training_year, 5, 6), date(training_year, 12, 15)),
        make_up_window=Window(date(training_year, 10, 8), date(training_year, 12, 15)),
        invoice_delay_days=7,
        fee_fen=fee_fen,
    )


@dataclass(frozen=True)
class EnrollmentTerms:
    """Terms of an order for one year placed on a given day."""

    training_year: int
    is_make_up: bool
    fee_fen: int
    learning_window: Window
    payable_until: date

    @property
    def class_name(self) -> str:
        suffix = "（补学）" if self.is_make_up else ""
        return f"{self.training_year}年度工勤人员继续教育{suffix}"


def enrollment_terms(
    training_year: int,
    today: date,
    own: YearCalendar | None,
    current: YearCalendar | None,
    make_up_years_back: int,
) -> EnrollmentTerms:
    """Decide whether ``training_year`` can be enrolled ``today`` and on what terms.

    ``own`` is the calendar of the training year itself, ``current`` the one
    of today's calendar year. A year is enrolled inside its own enrollment
    window. An earlier year, at most ``make_up_years_back`` back, is enrolled
    only inside the current year's make-up window, and its class then learns
    in that make-up window. After the learning window of Y ends, neither path
    is open for Y within Y, so nothing more happens for it that year.
    """
    if own is not None and own.enrollment_window.contains(today):
        return EnrollmentTerms(
            training_year=training_year,
            is_make_up=False,
            fee_fen=own.fee_fen,
            learning_window=own.learning_window,
            payable_until=own.enrollment_window.ends_on,
        )

    is_earlier_year = 0 < today.year - training_year <= make_up_years_back
    if is_earlier_year and current is not None and current.make_up_window.contains(today):
        return EnrollmentTerms(
            training_year=training_year,
            is_make_up=True,
            fee_fen=current.fee_fen,
            learning_window=current.make_up_window,
            payable_until=current.make_up_window.ends_on,
        )

    raise EnrollmentClosed(f"training year {training_year} cannot be enrolled on {today}")


class TrainingYear(Aggregate):
    """The calendar of one training year as the province operator set it."""

    @staticmethod
    def create_id(training_year: int) -> UUID:
        return uuid5(ENROLLMENT_NAMESPACE, f"training-year:{training_year}")

    @event("Scheduled")
    def __init__(self, training_year: int, schedule: dict[str, Any]) -> None:
        self.training_year = training_year
        self.schedule = schedule

    @event("Rescheduled")
    def reschedule(self, schedule: dict[str, Any]) -> None:
        self.schedule = schedule

    @property
    def calendar(self) -> YearCalendar:
        return YearCalendar.from_dict(self.schedule)
