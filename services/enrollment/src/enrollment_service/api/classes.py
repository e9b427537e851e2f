"""Class routes: my classes, the class home, the catalog by category, course selection.

Selection rule: a course added but not yet confirmed (a draft) may be
removed. A confirmed course can never be dropped, because confirming
publishes CoursesSelected and learning on the course may start at once.
"""

from typing import Any
from uuid import UUID

from eventplatform.web import UserFacingError
from fastapi import APIRouter, Query
from pydantic import BaseModel

from enrollment_service.api.deps import LearnerId, Wiring, WiringDep
from enrollment_service.api.views import catalog_view, category_summary, class_summary_view, class_view, requirement_view
from enrollment_service.domain import CATEGORIES
from enrollment_service.domain.errors import ClassNotFound
from enrollment_service.readmodels import queries

router = APIRouter(prefix="/api/enrollment/classes", tags=["classes"])


class CourseBody(BaseModel):
    course_id: UUID


@router.get("")
def my_classes(learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        return {"classes": [class_summary_view(row) for row in queries.classes_of(session, learner_id)]}


@router.get("/{class_id}")
def class_home(class_id: UUID, learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    return _class(wiring, learner_id, class_id)


@router.get("/{class_id}/catalog")
def browse_category(
    class_id: UUID, learner_id: LearnerId, wiring: WiringDep, category: str = Query(...)
) -> dict[str, Any]:
    if category not in CATEGORIES:
        raise UserFacingError(422, "课程分类不正确，请选择思政、通识或岗位技能提升。", "invalid_category")
    with wiring.database.sessions() as session:
        row = _owned_class(session, learner_id, class_id)
        selected_rows = queries.class_courses(session, class_id)
        catalog = queries.courses_in_category(session, category)
    selected = {course.course_id: course.state for course in selected_rows}
    summary = category_summary(category, requirement_view(row), selected_rows)
    return catalog_view(category, catalog, selected, summary)


@router.post("/{class_id}/selection")
def add_course(class_id: UUID, body: CourseBody, learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    wiring.application.add_course(learner_id, class_id, body.course_id)
    wiring.catch_up()
    return _class(wiring, learner_id, class_id)


@router.delete("/{class_id}/selection/{course_id}")
def remove_course(class_id: UUID, course_id: UUID, learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    wiring.application.remove_course(learner_id, class_id, course_id)
    wiring.catch_up()
    return _class(wiring, learner_id, class_id)


@router.post("/{class_id}/selection/confirm")
def confirm_selection(class_id: UUID, learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    wiring.application.confirm_selection(learner_id, class_id)
    wiring.catch_up()
    return _class(wiring, learner_id, class_id)


def _owned_class(session: Any, learner_id: UUID, class_id: UUID) -> Any:
    row = queries.training_class(session, class_id)
    if row is None or row.learner_id != learner_id:
        raise ClassNotFound(f"class {class_id} not found for learner {learner_id}")
    return row


def _class(wiring: Wiring, learner_id: UUID, class_id: UUID) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        row = _owned_class(session, learner_id, class_id)
        return class_view(row, queries.class_courses(session, class_id))
