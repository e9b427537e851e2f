"""The learner centre: my classes, class home, course selection, certificates,
invoices, info centre and personal data."""

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from portal_service.clients import Downstream, ServiceError
from portal_service.formatting import CATEGORY_LABELS, CATEGORY_ORDER
from portal_service.infocentre import CATEGORIES
from portal_service.pages import LearnerSession, portal_of, redirect, render
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/learner")


def downstream_of(request: Request) -> Downstream:
    return portal_of(request).downstream


@router.get("")
async def centre(request: Request, session: Session = LearnerSession) -> Response:
    return redirect("/learner/classes")


@router.get("/classes")
async def my_classes(request: Request, session: Session = LearnerSession) -> Response:
    body = await downstream_of(request).call("enrollment", "GET", "/api/enrollment/classes",
                                             session.token)
    return render(request, "learner/classes.html", active="classes", classes=body["classes"])


@router.get("/classes/{class_id}")
async def class_home(request: Request, class_id: str, session: Session = LearnerSession) -> Response:
    """班级首页: selection per category, course progress, test results and notes."""
    downstream = downstream_of(request)
    view = await downstream.call("enrollment", "GET", f"/api/enrollment/classes/{class_id}",
                                 session.token)
    if view.get("status") == "pending_payment":
        session.flash("该班级尚未缴费，请先完成缴费。", "info")
        return redirect("/enroll")
    learning = await optional(downstream.call(
        "learning", "GET", f"/api/learning/classes/{class_id}/courses", session.token))
    courses = (learning or {}).get("courses", [])
    tests = await asyncio.gather(*[
        optional(downstream.call("assessment", "GET",
                                 f"/api/assessment/courses/{course['course_id']}/test",
                                 session.token))
        for course in courses
    ])
    for course, test in zip(courses, tests, strict=True):
        course["test"] = test or {}
    confirmed_count = sum(1 for course in view.get("courses", []) if course.get("state") == "confirmed")
    return render(request, "learner/class_home.html", active="classes", view=view,
                  courses=courses, learning=learning, learning_missing=learning is None,
                  confirmed_count=confirmed_count)


async def optional(call: Any) -> Any:
    """Await a call whose failure leaves a part of the page empty instead of failing it."""
    try:
        return await call
    except ServiceError as error:
        logger.info("optional call failed with %s %s", error.status, error.code)
        return None


# --- course selection -------------------------------------------------------


@router.get("/classes/{class_id}/select")
async def select_courses(
    request: Request, class_id: str, category: str = "political", show: str = "",
    session: Session = LearnerSession,
) -> Response:
    """立即选课: one category's courses by provider, with hours selected and still needed."""
    if category not in CATEGORY_LABELS:
        category = "political"
    downstream = downstream_of(request)
    view, catalog = await asyncio.gather(
        downstream.call("enrollment", "GET", f"/api/enrollment/classes/{class_id}", session.token),
        downstream.call("enrollment", "GET", f"/api/enrollment/classes/{class_id}/catalog",
                        session.token, params={"category": category}),
    )
    draft = [course for course in view.get("courses", []) if course.get("state") == "draft"]
    return render(request, "learner/select.html", active="classes", view=view, catalog=catalog,
                  category=category, categories=CATEGORY_ORDER, show_selected=show == "selected",
                  draft=draft)


@router.post("/classes/{class_id}/select")
async def add_course(
    request: Request, class_id: str, course_id: Annotated[str, Form()],
    category: Annotated[str, Form()] = "political", session: Session = LearnerSession,
) -> Response:
    await downstream_of(request).call(
        "enrollment", "POST", f"/api/enrollment/classes/{class_id}/selection", session.token,
        json={"course_id": course_id},
    )
    session.flash("已加入候选课程。确认后才会开通学习，请点击“确认选中的课程”。", "success")
    return redirect(f"/learner/classes/{class_id}/select?category={category}")


@router.post("/classes/{class_id}/select/{course_id}/remove")
async def remove_course(
    request: Request, class_id: str, course_id: str,
    category: Annotated[str, Form()] = "political", session: Session = LearnerSession,
) -> Response:
    await downstream_of(request).call(
        "enrollment", "DELETE", f"/api/enrollment/classes/{class_id}/selection/{course_id}",
        session.token,
    )
    session.flash("已从候选课程中移除。", "success")
    return redirect(f"/learner/classes/{class_id}/select?category={category}&show=selected")


@router.post("/classes/{class_id}/select/confirm")
async def confirm_selection(request: Request, class_id: str,
                            session: Session = LearnerSession) -> Response:
    view = await downstream_of(request).call(
        "enrollment", "POST", f"/api/enrollment/classes/{class_id}/selection/confirm",
        session.token,
    )
    missing = [c for c in view.get("categories", []) if c.get("needed_hours", 0) > 0]
    if missing:
        parts = "、".join(f"{c['label']}{c['needed_hours']}课时" for c in missing)
        session.flash(f"选课已确认。还需选择：{parts}，可继续选课。", "success")
        return redirect(f"/learner/classes/{class_id}/select?category={missing[0]['category']}")
    session.flash("选课已确认，各类别学时已满足要求，可以开始学习。", "success")
    return redirect(f"/learner/classes/{class_id}")


# --- certificates and invoices ---------------------------------------------


@router.get("/certificates")
async def certificates(request: Request, session: Session = LearnerSession) -> Response:
    body = await downstream_of(request).call("credential", "GET",
                                             "/api/credential/certificates", session.token)
    items = body.get("certificates", body) if isinstance(body, dict) else body
    return render(request, "learner/certificates.html", active="certificates",
                  certificates=items or [])


@router.get("/certificates/{certificate_id}.pdf")
async def certificate_pdf(request: Request, certificate_id: str,
                          session: Session = LearnerSession) -> Response:
    response = await downstream_of(request).raw(
        "credential", "GET", f"/api/credential/certificates/{certificate_id}/pdf", session.token)
    return pdf_response(response.content, f"training-certificate-{certificate_id[:8]}.pdf")


@router.get("/invoices")
async def invoices(request: Request, session: Session = LearnerSession) -> Response:
    body = await downstream_of(request).call("payment", "GET", "/api/payments/history",
                                             session.token)
    return render(request, "learner/invoices.html", active="invoices", orders=body["orders"],
                  today=body.get("today"))


@router.get("/invoices/{invoice_id}.pdf")
async def invoice_pdf(request: Request, invoice_id: str, session: Session = LearnerSession) -> Response:
    response = await downstream_of(request).raw(
        "payment", "GET", f"/api/payments/invoices/{invoice_id}/pdf", session.token)
    return pdf_response(response.content, f"e-invoice-{invoice_id[:8]}.pdf")


def pdf_response(content: bytes, file_name: str) -> Response:
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file_name}"',
        "Cache-Control": "no-store",
    })


# --- info centre and profile ------------------------------------------------


@router.get("/info")
async def info_centre(request: Request, category: str = "announcement",
                      session: Session = LearnerSession) -> Response:
    if category not in CATEGORIES:
        category = "announcement"
    articles = portal_of(request).infocentre.list_articles(category)
    return render(request, "learner/info.html", active="info", articles=articles,
                  category=category, categories=CATEGORIES)


@router.get("/info/{article_id}")
async def info_article(request: Request, article_id: str,
                       session: Session = LearnerSession) -> Response:
    article = portal_of(request).infocentre.get(article_id)
    if article is None:
        session.flash("该公告已删除或不存在，请查看其他公告。", "info")
        return redirect("/learner/info")
    return render(request, "learner/article.html", active="info", article=article)


@router.get("/profile")
async def profile(request: Request, session: Session = LearnerSession) -> Response:
    me = await downstream_of(request).call("identity", "GET", "/api/me", session.token)
    return render(request, "learner/profile.html", active="profile", me=me)
