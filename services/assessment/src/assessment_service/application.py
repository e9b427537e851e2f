"""The assessment write model: commands on question banks and test attempts."""

import logging
import random
from typing import Any
from uuid import UUID

from eventplatform.clock import Clock, shanghai_today
from eventplatform.store import ServiceApplication
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from assessment_service.domain import (
    Attempt,
    AttemptNotFound,
    BankNotReady,
    CourseRecord,
    Question,
    QuestionBank,
    QuizUnlock,
    draw_questions,
    unlock_to_dict,
)
from assessment_service.settings import AssessmentSettings

logger = logging.getLogger(__name__)


class Assessment(ServiceApplication):
    name = "assessment"

    def __init__(self, settings: AssessmentSettings, clock: Clock) -> None:
        super().__init__(settings.event_store_url)
        self.clock = clock
        self.questions_per_attempt = settings.questions_per_attempt
        # Question draws and option orders need no reproducibility, only unpredictability.
        self.rng = random.SystemRandom()

    # --- question banks -------------------------------------------------

    def bank(self, course_id: UUID) -> QuestionBank | None:
        try:
            return self.repository.get(QuestionBank.create_id(course_id))
        except AggregateNotFoundError:
            return None

    def add_questions(self, course_id: UUID, questions: list[Question]) -> QuestionBank:
        """Add questions to a course's bank, creating the bank on first use."""
        bank = self.bank(course_id) or QuestionBank(course_id=course_id)
        bank.add_questions(questions)
        self.save(bank)
        logger.info("bank of course %s: %d questions added", course_id, len(questions))
        return bank

    def retire_question(self, course_id: UUID, question_id: str) -> QuestionBank:
        bank = self.bank(course_id)
        if bank is None:
            raise BankNotReady(f"course {course_id} has no question bank")
        bank.retire_question(question_id)
        self.save(bank)
        return bank

    def ensure_bank(self, course_id: UUID, questions: list[Question]) -> bool:
        """Create a bank with ``questions`` unless the course has one; return True if created.

        Safe to call again for a redelivered event: a concurrent creation loses the
        optimistic-concurrency race and is reported as not created.
        """
        if self.bank(course_id) is not None:
            return False
        bank = QuestionBank(course_id=course_id)
        bank.add_questions(questions)
        try:
            self.save(bank)
        except IntegrityError:
            return False
        return True

    # --- attempts ---------------------------------------------------------

    def course_record(self, learner_id: UUID, course_id: UUID) -> CourseRecord | None:
        try:
            return self.repository.get(CourseRecord.create_id(learner_id, course_id))
        except AggregateNotFoundError:
            return None

    def attempt(self, learner_id: UUID, attempt_id: UUID) -> Attempt:
        try:
            attempt: Attempt = self.repository.get(attempt_id)
        except AggregateNotFoundError:
            raise AttemptNotFound(f"attempt {attempt_id} not found") from None
        if not isinstance(attempt, Attempt) or attempt.learner_id != learner_id:
            raise AttemptNotFound(f"attempt {attempt_id} not found for learner {learner_id}")
        return attempt

    def start_attempt(self, learner_id: UUID, course_id: UUID, unlock: QuizUnlock) -> Attempt:
        """Draw a new attempt, or return the one still open for this course."""
        unlock.ensure_open(shanghai_today(self.clock))
        record = self.course_record(learner_id, course_id) or CourseRecord(
            learner_id=learner_id, course_id=course_id
        )
        if record.open_attempt_id is not None:
            return self.attempt(learner_id, record.open_attempt_id)

        bank = self.bank(course_id)
        questions = bank.active_questions() if bank is not None else []
        if not questions:
            raise BankNotReady(f"course {course_id} has no active questions")
        drawn = draw_questions(questions, set(record.seen), self.questions_per_attempt, self.rng)

        attempt = Attempt(
            learner_id=learner_id,
            course_id=course_id,
            unlock=unlock_to_dict(unlock),
            questions=drawn,
            started_at=self.clock.now(),
        )
        record.record_start(attempt_id=attempt.id, question_ids=[q["question_id"] for q in drawn])
        try:
            self.save(attempt, record)
        except IntegrityError:
            # A parallel start won: return the attempt it opened.
            winner = self.course_record(learner_id, course_id)
            if winner is None or winner.open_attempt_id is None:
                raise
            return self.attempt(learner_id, winner.open_attempt_id)
        logger.info("attempt %s started for course %s", attempt.id, course_id)
        return attempt

    def hand_in(self, learner_id: UUID, attempt_id: UUID, answers: dict[str, list[str]]) -> Attempt:
        """Score an attempt once; a repeated or racing hand-in returns the stored result."""
        attempt = self.attempt(learner_id, attempt_id)
        if attempt.handed_in:
            return attempt
        record = self.course_record(learner_id, attempt.course_id)
        if record is None:
            raise AttemptNotFound(f"attempt {attempt_id} has no course record")

        attempt.hand_in(answers, self.clock.now(), shanghai_today(self.clock))
        record.record_hand_in(attempt)
        try:
            # Both aggregates commit together; a racing hand-in of the same
            # attempt saved first, so this one conflicts and is discarded.
            self.save(attempt, record)
        except IntegrityError:
            stored = self.attempt(learner_id, attempt_id)
            if not stored.handed_in:
                raise
            logger.info("attempt %s: concurrent hand-in discarded", attempt_id)
            return stored
        logger.info("attempt %s handed in with score %s", attempt_id, attempt.score)
        return attempt


def attempt_summary(attempt: Attempt) -> dict[str, Any]:
    return {
        "attempt_id": str(attempt.id),
        "started_at": attempt.started_at.isoformat(),
        "handed_in_at": attempt.handed_in_at.isoformat() if attempt.handed_in_at else None,
        "score": attempt.score,
        "passed": attempt.passed,
    }
