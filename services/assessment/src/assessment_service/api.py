"""HTTP API: learners take course tests, the province operator manages question banks."""

import logging
from typing import Annotated, Any
from uuid import UUID

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.clock import shanghai_today
from eventplatform.errors import Conflict, NotFound
from eventplatform.runtime import ServiceDefinition
from eventplatform.web import UserFacingError, UserMessage, install_error_handlers
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

from assessment_service.application import Assessment, attempt_summary
from assessment_service.domain import (
    OPTION_KEYS,
    PASS_MARK,
    Attempt,
    AttemptNotFound,
    BankNotReady,
    IncompleteAnswers,
    InvalidQuestion,
    OutsideLearningWindow,
    Question,
    QuestionBank,
    QuizLocked,
)
from assessment_service.readmodels import QuizUnavailable, find_unlock, list_attempts

logger = logging.getLogger(__name__)

ERROR_MESSAGES = {
    QuizLocked: UserMessage(403, "请先完成本课程的全部学习（进度达到100%）后再参加测验。"),
    OutsideLearningWindow: UserMessage(409, "当前不在本班级的学习和测验时间内，无法参加测验。"),
    BankNotReady: UserMessage(409, "本课程的题库尚未准备好，请稍后再试或联系客服。"),
    AttemptNotFound: UserMessage(404, "未找到该次测验，请从课程页面重新进入。"),
    IncompleteAnswers: UserMessage(422, "请回答全部题目后再交卷（每题至少选择一个有效选项）。"),
    InvalidQuestion: UserMessage(422, "试题内容不完整或答案设置有误，请检查题干、选项、正确答案和解析。"),
    NotFound: UserMessage(404, "请求的内容不存在。"),
    Conflict: UserMessage(409, "操作与当前状态冲突，请刷新后重试。"),
}

_UNAVAILABLE_MESSAGES = {
    "not_completed": "请先完成本课程的全部学习（进度达到100%）后再参加测验。",
    "class_not_known": "班级信息正在同步，请稍后再试。",
}


class QuestionIn(BaseModel):
    question_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(description="single_choice, multiple_choice or true_false")
    stem: str = Field(min_length=1, max_length=2000)
    options: list[str] | None = Field(default=None, max_length=len(OPTION_KEYS))
    correct: list[int] = Field(min_length=1, description="Zero-based indexes into options.")
    explanation: str = Field(min_length=1, max_length=2000)

    def to_question(self) -> Question:
        return Question.new(**self.model_dump())


class ImportIn(BaseModel):
    questions: list[QuestionIn] = Field(min_length=1, max_length=1000)


class HandInIn(BaseModel):
    answers: dict[str, list[str]]


def create_api(definition: ServiceDefinition, verifier: TokenVerifier) -> FastAPI:
    application = definition.application
    database = definition.database
    assert isinstance(application, Assessment) and database is not None

    def catch_up() -> None:
        # The attempt history reads the projection, so bring it up to the command just saved.
        if definition.projector is not None:
            definition.projector.catch_up()

    api = FastAPI(title="Assessment service")
    install_error_handlers(api, ERROR_MESSAGES)
    current = principal_dependency(lambda _request: verifier)
    Caller = Annotated[Principal, Depends(current)]

    def learner_of(principal: Principal) -> UUID:
        require_role(principal, Role.LEARNER)
        assert principal.learner_id is not None  # learner tokens always carry it
        return principal.learner_id

    @api.get("/api/assessment/courses/{course_id}/test")
    def test_status(course_id: UUID, principal: Caller) -> dict[str, Any]:
        learner_id = learner_of(principal)
        record = application.course_record(learner_id, course_id)
        with database.sessions() as session:
            rows = list_attempts(session, learner_id, course_id)
            try:
                unlock = find_unlock(session, learner_id, course_id)
                locked_reason = None
            except QuizUnavailable as unavailable:
                unlock = None
                locked_reason = _UNAVAILABLE_MESSAGES[unavailable.reason]
        if unlock is not None:
            try:
                unlock.ensure_open(shanghai_today(application.clock))
            except OutsideLearningWindow:
                unlock = None
                locked_reason = ERROR_MESSAGES[OutsideLearningWindow].message
        scores = [row.score for row in rows if row.score is not None]
        return {
            "course_id": str(course_id),
            "unlocked": unlock is not None,
            "locked_reason": locked_reason,
            "passed": bool(record and record.passed),
            "best_score": max(scores) if scores else None,
            "open_attempt_id": str(record.open_attempt_id) if record and record.open_attempt_id else None,
            "questions_per_attempt": application.questions_per_attempt,
            "attempts": [
                {
                    "attempt_id": str(row.attempt_id),
                    "started_at": row.started_at.isoformat(),
                    "handed_in_at": row.handed_in_at.isoformat() if row.handed_in_at else None,
                    "score": row.score,
                    "passed": row.score is not None and row.score >= PASS_MARK,
                }
                for row in rows
            ],
        }

    @api.post("/api/assessment/courses/{course_id}/attempts", status_code=201)
    def start_attempt(course_id: UUID, principal: Caller) -> dict[str, Any]:
        learner_id = learner_of(principal)
        with database.sessions() as session:
            try:
                unlock = find_unlock(session, learner_id, course_id)
            except QuizUnavailable as unavailable:
                logger.info("learner %s course %s: test unavailable (%s)",
                            learner_id, course_id, unavailable.reason)
                status = 403 if unavailable.reason == "not_completed" else 409
                raise UserFacingError(status, _UNAVAILABLE_MESSAGES[unavailable.reason],
                                      unavailable.reason) from None
        attempt = application.start_attempt(learner_id, course_id, unlock)
        catch_up()
        return attempt_view(attempt, application)

    @api.get("/api/assessment/attempts/{attempt_id}")
    def read_attempt(attempt_id: UUID, principal: Caller) -> dict[str, Any]:
        attempt = application.attempt(learner_of(principal), attempt_id)
        return attempt_view(attempt, application)

    @api.post("/api/assessment/attempts/{attempt_id}/hand-in")
    def hand_in(attempt_id: UUID, body: HandInIn, principal: Caller) -> dict[str, Any]:
        attempt = application.hand_in(learner_of(principal), attempt_id, body.answers)
        catch_up()
        return attempt_view(attempt, application)

    # --- operator: question banks ---------------------------------------

    @api.get("/api/assessment/banks/{course_id}")
    def read_bank(course_id: UUID, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        bank = application.bank(course_id)
        if bank is None:
            raise BankNotReady(f"course {course_id} has no question bank")
        return bank_view(bank)

    @api.post("/api/assessment/banks/{course_id}/questions", status_code=201)
    def add_question(course_id: UUID, body: QuestionIn, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        return bank_view(application.add_questions(course_id, [body.to_question()]))

    @api.post("/api/assessment/banks/{course_id}/import", status_code=201)
    def import_questions(course_id: UUID, body: ImportIn, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        questions = [item.to_question() for item in body.questions]
        return bank_view(application.add_questions(course_id, questions))

    @api.delete("/api/assessment/banks/{course_id}/questions/{question_id}")
    def retire_question(course_id: UUID, question_id: str, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        return bank_view(application.retire_question(course_id, question_id))

    return api


def attempt_view(attempt: Attempt, application: Assessment) -> dict[str, Any]:
    """Render an attempt without correct answers while open, and as a full review once handed in."""
    questions = []
    for position, question in enumerate(attempt.questions, start=1):
        item: dict[str, Any] = {
            "position": position,
            "question_id": question["question_id"],
            "kind": question["kind"],
            "stem": question["stem"],
            "options": [
                {"key": OPTION_KEYS[index], "text": text}
                for index, text in enumerate(question["options"])
            ],
        }
        if attempt.handed_in and attempt.answers is not None:
            answer = attempt.answers[question["question_id"]]
            item["your_answer"] = answer
            item["correct_answer"] = question["correct"]
            item["is_correct"] = answer == question["correct"]
            item["explanation"] = question["explanation"]
        questions.append(item)

    view: dict[str, Any] = {
        "attempt_id": str(attempt.id),
        "course_id": str(attempt.course_id),
        "status": "handed_in" if attempt.handed_in else "open",
        "started_at": attempt.started_at.isoformat(),
        "questions": questions,
    }
    if attempt.handed_in:
        record = application.course_record(attempt.learner_id, attempt.course_id)
        summary = attempt_summary(attempt)
        view |= {
            "score": summary["score"],
            "passed": summary["passed"],
            "pass_mark": PASS_MARK,
            "handed_in_at": summary["handed_in_at"],
            "course_passed": bool(record and record.passed),
        }
    return view


def bank_view(bank: QuestionBank) -> dict[str, Any]:
    questions = bank.active_questions()
    return {
        "course_id": str(bank.course_id),
        "question_count": len(questions),
        "questions": [question.to_dict() for question in questions],
    }
