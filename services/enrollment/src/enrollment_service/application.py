"""The enrollment write model: calendar, orders, class opening, course selection."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

from eventplatform.clock import SHANGHAI, Clock, shanghai_today
from eventplatform.readmodel import Database
from eventplatform.store import ServiceApplication
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from enrollment_service.domain import (
    CourseChoice,
    EnrollmentTerms,
    InvoiceDetails,
    Order,
    TrainingClass,
    TrainingYear,
    YearCalendar,
    enrollment_terms,
    order_number,
)
from enrollment_service.domain.errors import (
    ClassNotFound,
    CourseNotAvailable,
    EnrollmentClosed,
    LearnerInactive,
    LearnerNotFound,
    OrderNotFound,
    YearAlreadyPaid,
)
from enrollment_service.readmodels import queries
from enrollment_service.settings import EnrollmentSettings

logger = logging.getLogger(__name__)

SAVE_ATTEMPTS = 3


class Enrollment(ServiceApplication):
    name = "enrollment"

    def __init__(self, settings: EnrollmentSettings, clock: Clock, database: Database) -> None:
        super().__init__(settings.event_store_url)
        self.settings = settings
        self.clock = clock
        self.database = database

    def today(self) -> date:
        return shanghai_today(self.clock)

    # --- calendar -------------------------------------------------------------

    def schedule_year(self, calendar: YearCalendar) -> None:
        """Set a training year's calendar, creating it on first use."""
        year_id = TrainingYear.create_id(calendar.training_year)
        schedule = calendar.to_dict()
        try:
            training_year = self.repository.get(year_id)
        except AggregateNotFoundError:
            self.save(TrainingYear(training_year=calendar.training_year, schedule=schedule))
            return
        if training_year.schedule != schedule:
            training_year.reschedule(schedule=schedule)
            self.save(training_year)

    def year_calendar(self, training_year: int) -> YearCalendar | None:
        try:
            aggregate = self.repository.get(TrainingYear.create_id(training_year))
        except AggregateNotFoundError:
            return None
        return aggregate.calendar

    def terms_for(self, training_year: int, today: date) -> EnrollmentTerms:
        """Return the terms of enrolling ``training_year`` today or raise ``EnrollmentClosed``."""
        return enrollment_terms(
            training_year,
            today,
            own=self.year_calendar(training_year),
            current=self.year_calendar(today.year),
            make_up_years_back=self.settings.make_up_years_back,
        )

    def open_years(self) -> list[EnrollmentTerms]:
        """Return every training year that can be enrolled today, newest first."""
        today = self.today()
        with self.database.sessions() as session:
            candidates = {row.training_year for row in queries.calendars(session)}
        candidates |= {today.year - back for back in range(1, self.settings.make_up_years_back + 1)}
        terms = []
        for training_year in sorted(candidates, reverse=True):
            try:
                terms.append(self.terms_for(training_year, today))
            except EnrollmentClosed:
                continue
        return terms

    # --- orders ---------------------------------------------------------------

    def place_order(
        self, learner_id: UUID, training_year: int, invoice: InvoiceDetails
    ) -> tuple[UUID, bool]:
        """Place an order for the learner's class of ``training_year``.

        Returns the order id and whether it is new: an open unpaid order for
        the same year is returned instead of a second one. A conflicting
        concurrent save of the same class is retried, and the retry then
        finds the other request's order.
        """
        self._check_learner(learner_id)
        for _ in range(SAVE_ATTEMPTS - 1):
            try:
                return self._place_order_once(learner_id, training_year, invoice)
            except IntegrityError:
                logger.info("order for class of learner %s conflicted; retrying", learner_id)
        return self._place_order_once(learner_id, training_year, invoice)

    def _place_order_once(
        self, learner_id: UUID, training_year: int, invoice: InvoiceDetails
    ) -> tuple[UUID, bool]:
        now = self.clock.now()
        today = self.today()
        class_id = TrainingClass.create_id(learner_id, training_year)
        training_class = self._find_class(class_id) or TrainingClass(
            learner_id=learner_id, training_year=training_year
        )
        if training_class.is_open:
            raise YearAlreadyPaid(f"class {class_id} is already open")
        if training_class.open_order_id is not None:
            return training_class.open_order_id, False

        terms = self.terms_for(training_year, today)
        order_id = uuid4()
        order = Order(
            order_id=order_id,
            order_number=order_number(today, order_id),
            learner_id=learner_id,
            class_id=class_id,
            training_year=training_year,
            is_make_up=terms.is_make_up,
            amount_fen=terms.fee_fen,
            invoice={
                "title": invoice.title,
                "credit_code": invoice.credit_code,
                "email": invoice.email,
                "check_failed": invoice.check_failed,
            },
            learning_window=terms.learning_window.to_dict(),
            placed_at=now,
            expires_at=self._expiry(now, terms.payable_until),
        )
        training_class.attach_order(order_id)
        self.save(order, training_class)
        logger.info("order %s placed for class %s (year %d)", order_id, class_id, training_year)
        return order_id, True

    def _expiry(self, now: datetime, payable_until: date) -> datetime:
        """Cut the order's time to live at the end of the last payable day (Shanghai)."""
        end_of_window = datetime.combine(payable_until + timedelta(days=1), time(), SHANGHAI)
        return min(now + timedelta(minutes=self.settings.order_ttl_minutes), end_of_window.astimezone(UTC))

    def _check_learner(self, learner_id: UUID) -> None:
        with self.database.sessions() as session:
            learner = queries.learner(session, learner_id)
        if learner is None:
            raise LearnerNotFound(f"learner {learner_id} has not registered")
        if learner.status != "active":
            raise LearnerInactive(f"learner {learner_id} has left the post")

    def order_of(self, learner_id: UUID, order_id: UUID) -> Order:
        try:
            order = self.repository.get(order_id)
        except AggregateNotFoundError:
            raise OrderNotFound(f"order {order_id} not found") from None
        if order.learner_id != learner_id:
            raise OrderNotFound(f"order {order_id} is not learner {learner_id}'s")
        return order

    def cancel_order(self, learner_id: UUID, order_id: UUID) -> None:
        order = self.order_of(learner_id, order_id)
        order.cancel(self.clock.now())
        training_class = self.repository.get(order.class_id)
        training_class.release_order(order_id)
        self.save(order, training_class)
        logger.info("order %s cancelled by its learner", order_id)

    def expire_order(self, order_id: UUID) -> bool:
        """Expire an unpaid order past its expiry time; safe to call repeatedly."""
        order = self.repository.get(order_id)
        if not order.expire(self.clock.now()):
            return False
        training_class = self.repository.get(order.class_id)
        training_class.release_order(order_id)
        self.save(order, training_class)
        logger.info("order %s expired", order_id)
        return True

    # --- payment and opening ---------------------------------------------------

    def record_payment(self, order_id: UUID, payment_id: UUID, amount_fen: int, paid_at: datetime) -> None:
        """Mark the order paid; a repeated call changes nothing."""
        order = self.repository.get(order_id)
        if order.record_payment(payment_id, amount_fen, paid_at):
            self.save(order)
            logger.info("order %s paid by payment %s", order_id, payment_id)

    def open_class(self, order_id: UUID, grade: str) -> bool:
        """Open the class of a paid order with the requirement of ``grade``; idempotent."""
        order = self.repository.get(order_id)
        training_class = self.repository.get(order.class_id)
        if training_class.is_open and training_class.opened_by_order_id != order_id:
            # NOTE: a second paid order for an already opened class opens
            # nothing; its refund has to be arranged by the operator.
            logger.warning("order %s paid for class %s that order %s opened",
                           order_id, order.class_id, training_class.opened_by_order_id)
            return False
        opened = training_class.open(
            order_id=order_id,
            grade=grade,
            is_make_up=order.is_make_up,
            learning_window=order.learning_window,
            opened_at=self.clock.now(),
        )
        if opened:
            self.save(training_class)
            logger.info("class %s opened by order %s", order.class_id, order_id)
        return opened

    def mark_qualified(self, class_id: UUID, certificate_id: UUID, qualified_at: datetime) -> None:
        training_class = self.repository.get(class_id)
        if training_class.mark_qualified(certificate_id, qualified_at):
            self.save(training_class)
            logger.info("class %s qualified with certificate %s", class_id, certificate_id)

    # --- course selection -------------------------------------------------------

    def class_of(self, learner_id: UUID, class_id: UUID) -> TrainingClass:
        training_class = self._find_class(class_id)
        if training_class is None or training_class.learner_id != learner_id:
            raise ClassNotFound(f"class {class_id} not found for learner {learner_id}")
        return training_class

    def add_course(self, learner_id: UUID, class_id: UUID, course_id: UUID) -> None:
        training_class = self.class_of(learner_id, class_id)
        with self.database.sessions() as session:
            course = queries.available_course(session, course_id)
        if course is None:
            raise CourseNotAvailable(f"course {course_id} unknown or withdrawn")
        choice = CourseChoice(
            course_id=course.course_id,
            category=course.category,
            credit_hours=course.credit_hours,
            title=course.title,
            provider_name=course.provider_name,
        )
        training_class.add_course(choice, self.today(), self.clock.now())
        self.save(training_class)

    def remove_course(self, learner_id: UUID, class_id: UUID, course_id: UUID) -> None:
        training_class = self.class_of(learner_id, class_id)
        training_class.remove_course(course_id, self.today())
        self.save(training_class)

    def confirm_selection(self, learner_id: UUID, class_id: UUID) -> int:
        """Confirm the draft; return how many courses this round confirmed."""
        training_class = self.class_of(learner_id, class_id)
        courses = training_class.confirm_selection(self.today(), self.clock.now())
        self.save(training_class)
        logger.info("class %s confirmed %d courses", class_id, len(courses))
        return len(courses)

    def _find_class(self, class_id: UUID) -> TrainingClass | None:
        try:
            return self.repository.get(class_id)
        except AggregateNotFoundError:
            return None
