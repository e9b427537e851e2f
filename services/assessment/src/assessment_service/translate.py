"""Map recorded assessment events to integration events: only a course's first pass leaves."""

from typing import Any

from education_contracts import Category, IntegrationEvent, QuizPassed

from assessment_service.domain import CoursePassed


def translate(domain_event: Any) -> list[IntegrationEvent]:
    if isinstance(domain_event, CoursePassed):
        return [
            QuizPassed(
                learner_id=domain_event.learner_id,
                class_id=domain_event.class_id,
                course_id=domain_event.course_id,
                training_year=domain_event.training_year,
                category=Category(domain_event.category),
                credit_hours=domain_event.credit_hours,
                attempt_id=domain_event.attempt_id,
                score=domain_event.score,
                passed_at=domain_event.passed_at,
            )
        ]
    return []
