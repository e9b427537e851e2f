"""Rules of questions, draws and scores, without infrastructure."""

import random
from datetime import date
from uuid import uuid4

import pytest

from assessment_service.demobank import demo_questions
from assessment_service.domain import (
    IncompleteAnswers,
    InvalidQuestion,
    OutsideLearningWindow,
    Question,
    QuizUnlock,
    draw_questions,
    score_answers,
)


def make_bank(size: int) -> list[Question]:
    return [
        Question.new(question_id=f"q{n}", kind="single_choice", stem=f"题{n}",
                     options=["甲", "乙", "丙"], correct=[1], explanation="解析")
        for n in range(size)
    ]


def test_draw_prefers_unseen_questions() -> None:
    bank = make_bank(25)
    seen = {f"q{n}" for n in range(15)}
    drawn = draw_questions(bank, seen, 10, random.Random(1))
    assert {q["question_id"] for q in drawn} == {f"q{n}" for n in range(15, 25)}


def test_draw_tops_up_with_seen_questions() -> None:
    drawn = draw_questions(make_bank(12), {f"q{n}" for n in range(8)}, 10, random.Random(1))
    ids = {q["question_id"] for q in drawn}
    assert len(ids) == 10
    assert {f"q{n}" for n in range(8, 12)} <= ids


def test_draw_keeps_correct_answer_after_shuffle() -> None:
    for question in draw_questions(make_bank(10), set(), 10, random.Random(7)):
        (key,) = question["correct"]
        assert question["options"]["ABC".index(key)] == "乙"


def test_score_rounds_and_passes_at_sixty() -> None:
    questions = draw_questions(make_bank(10), set(), 10, random.Random(3))
    answers = {q["question_id"]: q["correct"] if i < 6 else ["Z"] for i, q in enumerate(questions)}
    with pytest.raises(IncompleteAnswers):
        score_answers(questions, answers)
    wrong = {q["question_id"]: [k for k in "ABC" if k not in q["correct"]][:1] for q in questions}
    answers = {q["question_id"]: q["correct"] if i < 6 else wrong[q["question_id"]]
               for i, q in enumerate(questions)}
    score, _ = score_answers(questions, answers)
    assert score == 60


def test_score_rejects_missing_answer() -> None:
    questions = draw_questions(make_bank(3), set(), 3, random.Random(3))
    answers = {q["question_id"]: q["correct"] for q in questions[:2]}
    with pytest.raises(IncompleteAnswers):
        score_answers(questions, answers)


@pytest.mark.parametrize(
    ("kind", "options", "correct"),
    [
        ("single_choice", ["甲", "乙"], [0, 1]),
        ("multiple_choice", ["甲", "乙", "丙"], [0]),
        ("single_choice", ["甲"], [0]),
        ("single_choice", ["甲", "甲"], [0]),
        ("single_choice", ["甲", "乙"], [5]),
        ("essay", ["甲", "乙"], [0]),
    ],
)
def test_invalid_questions_are_rejected(kind: str, options: list[str], correct: list[int]) -> None:
    with pytest.raises(InvalidQuestion):
        Question.new(kind=kind, stem="题干", options=options, correct=correct, explanation="解析")


def test_true_false_gets_fixed_options() -> None:
    question = Question.new(kind="true_false", stem="题干", options=None, correct=[0], explanation="解析")
    assert question.options == ("正确", "错误")


def test_unlock_checks_learning_window() -> None:
    unlock = QuizUnlock(class_id=uuid4(), training_year=2026, category="general", credit_hours=2,
                        window_starts_on=date(2026, 5, 6), window_ends_on=date(2026, 12, 15))
    unlock.ensure_open(date(2026, 12, 15))
    with pytest.raises(OutsideLearningWindow):
        unlock.ensure_open(date(2026, 12, 16))


def test_demo_bank_is_valid_and_stable() -> None:
    course_id = uuid4()
    first = demo_questions(course_id, "公文写作", "general", 30)
    assert len({q.question_id for q in first}) == 30
    assert first == demo_questions(course_id, "公文写作", "general", 30)
