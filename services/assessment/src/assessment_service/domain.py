"""Question banks, test attempts and each learner's record of one course test.

Rules: a test is drawn from the course's bank, and questions the learner has not
seen come first. Choice options are shuffled per attempt. Every question must be
answered. The score is 0-100 and 60 or more passes. A passed course stays passed
whatever later attempts score.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventplatform.errors import Conflict, DomainError, NotFound
from eventsourcing.domain import Aggregate, event

PASS_MARK = 60
TRUE_FALSE_OPTIONS = ("正确", "错误")
OPTION_KEYS = "ABCDEFGH"

_NAMESPACE = uuid5(NAMESPACE_URL, "https://gqjy.example/assessment")


# --- errors ---------------------------------------------------------------


class InvalidQuestion(DomainError):
    """A question is malformed (options, correct answers or text)."""


class BankNotReady(Conflict):
    """The course has no question bank, or no active questions in it."""


class QuizLocked(DomainError):
    """The learner has not completed the course, so its test is not available."""


class OutsideLearningWindow(Conflict):
    """Today is outside the class's learning window."""


class AttemptNotFound(NotFound):
    """No attempt with this id belongs to the caller."""


class IncompleteAnswers(DomainError):
    """The hand-in leaves a question unanswered or names an unknown option."""


# --- questions ------------------------------------------------------------


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"


@dataclass(frozen=True)
class Question:
    """One bank question. ``correct`` contains zero-based indexes into ``options``."""

    question_id: str
    kind: QuestionKind
    stem: str
    options: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str

    @classmethod
    def new(cls, *, kind: str, stem: str, options: list[str] | None, correct: list[int],
            explanation: str, question_id: str | None = None) -> "Question":
        """Build and validate a question; true/false questions get the fixed options."""
        try:
            question_kind = QuestionKind(kind)
        except ValueError:
            raise InvalidQuestion(f"unknown question kind {kind!r}") from None
        if question_kind is QuestionKind.TRUE_FALSE:
            options = list(TRUE_FALSE_OPTIONS)
        question = cls(
            question_id=question_id or f"q-{uuid4().hex[:12]}",
            kind=question_kind,
            stem=stem.strip(),
            options=tuple(option.strip() for option in options or ()),
            correct=tuple(sorted(set(correct))),
            explanation=explanation.strip(),
        )
        question.validate()
        return question

    def validate(self) -> None:
        if not self.stem:
            raise InvalidQuestion(f"question {self.question_id} has no stem")
        if not self.explanation:
            raise InvalidQuestion(f"question {self.question_id} has no explanation")
        if not 2 <= len(self.options) <= len(OPTION_KEYS) or not all(self.options):
            raise InvalidQuestion(f"question {self.question_id} needs 2-8 non-empty options")
        if len(set(self.options)) != len(self.options):
            raise InvalidQuestion(f"question {self.question_id} repeats an option")
        if any(index < 0 or index >= len(self.options) for index in self.correct):
            raise InvalidQuestion(f"question {self.question_id} marks a missing option correct")
        # A multiple-choice question with one right option would give its answer away.
        if self.kind is QuestionKind.MULTIPLE_CHOICE:
            min_correct, max_correct = 2, len(self.options)
        else:
            min_correct, max_correct = 1, 1
        if not min_correct <= len(self.correct) <= max_correct:
            raise InvalidQuestion(
                f"question {self.question_id} of kind {self.kind} has {len(self.correct)} correct options"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "kind": str(self.kind),
            "stem": self.stem,
            "options": list(self.options),
            "correct": list(self.correct),
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Question":
        return cls(
            question_id=data["question_id"],
            kind=QuestionKind(data["kind"]),
            stem=data["stem"],
            options=tuple(data["options"]),
            correct=tuple(data["correct"]),
            explanation=data["explanation"],
        )


class QuestionBank(Aggregate):
    """The questions of one course; retired questions stay for old attempts' sake."""

    @staticmethod
    def create_id(course_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, f"bank:{course_id}")

    @event("Created")
    def __init__(self, course_id: UUID) -> None:
        self.course_id = course_id
        self.questions: dict[str, dict[str, Any]] = {}
        self.retired: set[str] = set()

    def add_questions(self, questions: list[Question]) -> None:
        """Add validated questions; an id already in the bank is rejected."""
        ids = [question.question_id for question in questions]
        duplicates = {qid for qid in ids if qid in self.questions or ids.count(qid) > 1}
        if duplicates:
            raise InvalidQuestion(f"question ids already used: {sorted(duplicates)}")
        if questions:
            self._add_questions(questions=[question.to_dict() for question in questions])

    @event("QuestionsAdded")
    def _add_questions(self, questions: list[dict[str, Any]]) -> None:
        for data in questions:
            self.questions[data["question_id"]] = data

    def retire_question(self, question_id: str) -> None:
        if question_id not in self.questions:
            raise NotFound(f"question {question_id} not in bank {self.id}")
        if question_id not in self.retired:
            self._retire(question_id=question_id)

    @event("QuestionRetired")
    def _retire(self, question_id: str) -> None:
        self.retired.add(question_id)

    def active_questions(self) -> list[Question]:
        return [
            Question.from_dict(data)
            for question_id, data in self.questions.items()
            if question_id not in self.retired
        ]


# --- drawing a test -------------------------------------------------------


@dataclass(frozen=True)
class QuizUnlock:
    """Completion of a learner's course and its class's learning window, from consumed events."""

    class_id: UUID
    training_year: int
    category: str
    credit_hours: int
    window_starts_on: date
    window_ends_on: date

    def ensure_open(self, today: date) -> None:
        if not self.window_starts_on <= today <= self.window_ends_on:
            raise OutsideLearningWindow(
                f"class {self.class_id}: {today} is outside "
                f"{self.window_starts_on}..{self.window_ends_on}"
            )


def draw_questions(
    bank: list[Question], seen: set[str], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Draw ``count`` questions, unseen ones first, and shuffle each one's options.

    Returns the attempt's snapshot of each question: options in the presented
    order and the correct answer as presented keys (A, B, ...).
    """
    unseen = [question for question in bank if question.question_id not in seen]
    repeats = [question for question in bank if question.question_id in seen]
    rng.shuffle(unseen)
    rng.shuffle(repeats)
    chosen = (unseen + repeats)[:count]
    return [_present(question, rng) for question in chosen]


def _present(question: Question, rng: random.Random) -> dict[str, Any]:
    order = list(range(len(question.options)))
    # A true/false pair reads oddly as 错误/正确, so only choice questions shuffle.
    if question.kind is not QuestionKind.TRUE_FALSE:
        rng.shuffle(order)
    correct_keys = [OPTION_KEYS[position] for position, index in enumerate(order)
                    if index in question.correct]
    return {
        "question_id": question.question_id,
        "kind": str(question.kind),
        "stem": question.stem,
        "options": [question.options[index] for index in order],
        "correct": correct_keys,
        "explanation": question.explanation,
    }


def score_answers(
    questions: list[dict[str, Any]], answers: dict[str, list[str]]
) -> tuple[int, dict[str, list[str]]]:
    """Check the hand-in covers every question and return (score 0-100, cleaned answers)."""
    cleaned: dict[str, list[str]] = {}
    for question in questions:
        keys = sorted({key.strip().upper() for key in answers.get(question["question_id"], [])})
        valid = set(OPTION_KEYS[: len(question["options"])])
        if not keys or not set(keys) <= valid:
            raise IncompleteAnswers(f"question {question['question_id']} has no valid answer")
        if question["kind"] != QuestionKind.MULTIPLE_CHOICE and len(keys) != 1:
            raise IncompleteAnswers(f"question {question['question_id']} takes one answer")
        cleaned[question["question_id"]] = keys
    right = sum(1 for question in questions if cleaned[question["question_id"]] == question["correct"])
    # Round half up, so 6 right of 10 is exactly the pass mark.
    score = (200 * right + len(questions)) // (2 * len(questions))
    return score, cleaned


# --- attempts and the course record ---------------------------------------


class Attempt(Aggregate):
    """One drawn test; handed in once (a second save of a hand-in conflicts)."""

    @event("Started")
    def __init__(self, learner_id: UUID, course_id: UUID, unlock: dict[str, Any],
                 questions: list[dict[str, Any]], started_at: datetime) -> None:
        self.learner_id = learner_id
        self.course_id = course_id
        self.unlock = unlock
        self.questions = questions
        self.started_at = started_at
        self.answers: dict[str, list[str]] | None = None
        self.score: int | None = None
        self.handed_in_at: datetime | None = None

    @property
    def handed_in(self) -> bool:
        return self.handed_in_at is not None

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score >= PASS_MARK

    def hand_in(self, answers: dict[str, list[str]], at: datetime, today: date) -> None:
        if self.handed_in:
            raise Conflict(f"attempt {self.id} was already handed in")
        window_ends_on = date.fromisoformat(self.unlock["window_ends_on"])
        if today > window_ends_on:
            raise OutsideLearningWindow(f"attempt {self.id}: window ended {window_ends_on}")
        score, cleaned = score_answers(self.questions, answers)
        self._hand_in(answers=cleaned, score=score, handed_in_at=at)

    @event("HandedIn")
    def _hand_in(self, answers: dict[str, list[str]], score: int, handed_in_at: datetime) -> None:
        self.answers = answers
        self.score = score
        self.handed_in_at = handed_in_at


class CourseRecord(Aggregate):
    """A learner's test history for one course: seen questions, open attempt, pass."""

    @staticmethod
    def create_id(learner_id: UUID, course_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, f"record:{learner_id}:{course_id}")

    @event("Created")
    def __init__(self, learner_id: UUID, course_id: UUID) -> None:
        self.learner_id = learner_id
        self.course_id = course_id
        self.seen: list[str] = []
        self.open_attempt_id: UUID | None = None
        self.passed_attempt_id: UUID | None = None

    @property
    def passed(self) -> bool:
        return self.passed_attempt_id is not None

    @event("AttemptStarted")
    def record_start(self, attempt_id: UUID, question_ids: list[str]) -> None:
        self.open_attempt_id = attempt_id
        self.seen += [qid for qid in question_ids if qid not in self.seen]

    def record_hand_in(self, attempt: Attempt) -> None:
        """Close the attempt; the first passing one passes the course, later ones change nothing."""
        self._close(attempt_id=attempt.id, score=attempt.score)
        if attempt.passed and not self.passed:
            self._pass(
                attempt_id=attempt.id,
                learner_id=self.learner_id,
                course_id=self.course_id,
                class_id=UUID(attempt.unlock["class_id"]),
                training_year=attempt.unlock["training_year"],
                category=attempt.unlock["category"],
                credit_hours=attempt.unlock["credit_hours"],
                score=attempt.score,
                passed_at=attempt.handed_in_at,
            )

    @event("AttemptClosed")
    def _close(self, attempt_id: UUID, score: int | None) -> None:
        if self.open_attempt_id == attempt_id:
            self.open_attempt_id = None

    @event("Passed")
    def _pass(
        self, attempt_id: UUID, learner_id: UUID, course_id: UUID, class_id: UUID,
        training_year: int, category: str, credit_hours: int, score: int | None,
        passed_at: datetime | None,
    ) -> None:
        self.passed_attempt_id = attempt_id


def unlock_to_dict(unlock: QuizUnlock) -> dict[str, Any]:
    return {
        "class_id": str(unlock.class_id),
        "training_year": unlock.training_year,
        "category": unlock.category,
        "credit_hours": unlock.credit_hours,
        "window_starts_on": unlock.window_starts_on.isoformat(),
        "window_ends_on": unlock.window_ends_on.isoformat(),
    }


# The @event decorators create these classes at import time; the names below give
# other modules (projection, translation) a statically typed way to refer to them.
AttemptStarted: type[Any] = Attempt.Started  # type: ignore[attr-defined]
AttemptHandedIn: type[Any] = Attempt.HandedIn  # type: ignore[attr-defined]
CoursePassed: type[Any] = CourseRecord.Passed  # type: ignore[attr-defined]
