"""JSON shapes of the API responses, built from read-model rows."""

from datetime import date
from typing import Any

from education_contracts.base import Category, Grade

from enrollment_service.domain import CATEGORIES, EnrollmentTerms, Window
from enrollment_service.readmodels.tables import (
    CalendarRow,
    CatalogCourseRow,
    ClassCourseRow,
    ClassRow,
    OrderRow,
)

ORDER_STATUS_LABELS = {"pending": "待支付", "paid": "已支付", "cancelled": "已取消", "expired": "已过期"}
CLASS_STATUS_LABELS = {
    "not_enrolled": "未报名",
    "pending_payment": "待支付",
    "learning": "学习中",
    "qualified": "已合格",
}


def window_view(starts_on: date | None, ends_on: date | None) -> dict[str, str] | None:
    if starts_on is None or ends_on is None:
        return None
    return Window(starts_on, ends_on).to_dict()


def calendar_view(row: CalendarRow) -> dict[str, Any]:
    return {
        "training_year": row.training_year,
        "label": row.label,
        "is_demo": row.is_demo,
        "enrollment_window": window_view(row.enrollment_starts_on, row.enrollment_ends_on),
        "learning_window": window_view(row.learning_starts_on, row.learning_ends_on),
        "make_up_window": window_view(row.make_up_starts_on, row.make_up_ends_on),
        "invoice_delay_days": row.invoice_delay_days,
        "fee_fen": row.fee_fen,
    }


def class_name(training_year: int, is_make_up: bool) -> str:
    suffix = "（补学）" if is_make_up else ""
    return f"{training_year}年度工勤人员继续教育{suffix}"


def year_option_view(terms: EnrollmentTerms, class_status: str | None) -> dict[str, Any]:
    return {
        "training_year": terms.training_year,
        "is_make_up": terms.is_make_up,
        "fee_fen": terms.fee_fen,
        "class_name": terms.class_name,
        "payable_until": terms.payable_until.isoformat(),
        "learning_window": terms.learning_window.to_dict(),
        "class_status": class_status,
    }


def order_view(row: OrderRow) -> dict[str, Any]:
    return {
        "order_id": str(row.order_id),
        "order_number": row.order_number,
        "class_id": str(row.class_id),
        "training_year": row.training_year,
        "is_make_up": row.is_make_up,
        "class_name": class_name(row.training_year, row.is_make_up),
        "amount_fen": row.amount_fen,
        "status": row.status,
        "status_label": ORDER_STATUS_LABELS[row.status],
        "invoice_title": row.invoice_title,
        "invoice_credit_code": row.invoice_credit_code,
        "invoice_email": row.invoice_email,
        "credit_code_check_failed": row.credit_code_check_failed,
        "placed_at": row.placed_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "paid_at": row.paid_at.isoformat() if row.paid_at else None,
        "cancelled_at": row.cancelled_at.isoformat() if row.cancelled_at else None,
    }


def requirement_view(row: ClassRow) -> dict[str, int] | None:
    if row.required_total is None:
        return None
    return {
        "political": row.required_political or 0,
        "general": row.required_general or 0,
        "job_skills": row.required_job_skills or 0,
        "total": row.required_total,
    }


def category_summary(category: str, requirement: dict[str, int] | None,
                     courses: list[ClassCourseRow]) -> dict[str, Any]:
    """Hours selected (confirmed and draft) and still needed in one category."""
    required = requirement[category] if requirement else 0
    confirmed = sum(c.credit_hours for c in courses if c.category == category and c.state == "confirmed")
    draft = sum(c.credit_hours for c in courses if c.category == category and c.state == "draft")
    return {
        "category": category,
        "label": Category(category).label,
        "required_hours": required,
        "confirmed_hours": confirmed,
        "draft_hours": draft,
        "selected_hours": confirmed + draft,
        "needed_hours": max(required - confirmed - draft, 0),
    }


def class_course_view(row: ClassCourseRow) -> dict[str, Any]:
    return {
        "course_id": str(row.course_id),
        "title": row.title,
        "category": row.category,
        "credit_hours": row.credit_hours,
        "provider_name": row.provider_name,
        "state": row.state,
        "added_at": row.added_at.isoformat(),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
    }


def class_summary_view(row: ClassRow) -> dict[str, Any]:
    return {
        "class_id": str(row.class_id),
        "training_year": row.training_year,
        "class_name": class_name(row.training_year, row.is_make_up),
        "is_make_up": row.is_make_up,
        "status": row.status,
        "status_label": CLASS_STATUS_LABELS[row.status],
        "open_order_id": str(row.open_order_id) if row.open_order_id else None,
        "requirement": requirement_view(row),
        "learning_window": window_view(row.learning_starts_on, row.learning_ends_on),
        "opened_at": row.opened_at.isoformat() if row.opened_at else None,
        "qualified_at": row.qualified_at.isoformat() if row.qualified_at else None,
        "certificate_id": str(row.certificate_id) if row.certificate_id else None,
    }


def class_view(row: ClassRow, courses: list[ClassCourseRow]) -> dict[str, Any]:
    requirement = requirement_view(row)
    return {
        **class_summary_view(row),
        "grade": row.grade,
        "grade_label": Grade(row.grade).label if row.grade else None,
        "categories": [category_summary(category, requirement, courses) for category in CATEGORIES],
        "courses": [class_course_view(course) for course in courses],
    }


def catalog_view(category: str, catalog: list[CatalogCourseRow], selected: dict[Any, str],
                 summary: dict[str, Any]) -> dict[str, Any]:
    providers: dict[str, dict[str, Any]] = {}
    for course in catalog:
        provider = providers.setdefault(
            course.provider_id,
            {"provider_id": course.provider_id, "provider_name": course.provider_name, "courses": []},
        )
        provider["courses"].append({
            "course_id": str(course.course_id),
            "code": course.code,
            "title": course.title,
            "credit_hours": course.credit_hours,
            "chapter_count": course.chapter_count,
            "total_duration_seconds": course.total_duration_seconds,
            "selected": selected.get(course.course_id),
        })
    return {
        "category": category,
        "label": Category(category).label,
        "providers": list(providers.values()),
        "summary": summary,
    }
