"""Province operator console: calendar and fees, catalog and question banks,
announcements, certificate revocation."""

import json
import logging
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from portal_service.infocentre import CATEGORIES
from portal_service.pages import OperatorSession, portal_of, redirect, render
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter()

Text = Annotated[str, Form()]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


# --- calendar and fees --------------------------------------------------------


@router.get("/calendar")
async def calendar(request: Request, session: Session = OperatorSession) -> Response:
    body = await portal_of(request).downstream.call("enrollment", "GET",
                                                    "/api/enrollment/calendar", session.token)
    return render(request, "admin/calendar.html", active="calendar", years=body.get("years", []))


@router.post("/calendar")
async def save_calendar(
    request: Request, training_year: Annotated[int, Form()], label: Text, fee_yuan: Text,
    enrollment_starts_on: Text, enrollment_ends_on: Text, learning_starts_on: Text,
    learning_ends_on: Text, make_up_starts_on: Text, make_up_ends_on: Text,
    invoice_delay_days: Annotated[int, Form()] = 7, session: Session = OperatorSession,
) -> Response:
    try:
        fee_fen = int(Decimal(fee_yuan.strip()) * 100)
    except InvalidOperation:
        session.flash("培训费用请填写金额数字，例如 200 或 200.00。")
        return redirect("/admin/calendar")
    payload = {
        "label": label.strip() or f"{training_year}年度",
        "fee_fen": fee_fen,
        "invoice_delay_days": invoice_delay_days,
        "enrollment_window": {"starts_on": enrollment_starts_on, "ends_on": enrollment_ends_on},
        "learning_window": {"starts_on": learning_starts_on, "ends_on": learning_ends_on},
        "make_up_window": {"starts_on": make_up_starts_on, "ends_on": make_up_ends_on},
    }
    await portal_of(request).downstream.call(
        "enrollment", "PUT", f"/api/enrollment/calendar/{training_year}", session.token,
        json=payload)
    session.flash(f"{training_year} 年度的时间安排和收费已保存。", "success")
    return redirect("/admin/calendar")


# --- catalog and question banks ----------------------------------------------


@router.get("/catalog")
async def catalog(request: Request, category: str = "", session: Session = OperatorSession) -> Response:
    params = {"include_withdrawn": "true"}
    if category:
        params["category"] = category
    courses = await portal_of(request).downstream.call(
        "learning", "GET", "/api/learning/courses", session.token, params=params)
    return render(request, "admin/catalog.html", active="catalog", courses=courses,
                  category=category, import_rows=None)


@router.post("/catalog/import")
async def import_catalog(request: Request, file: UploadFile,
                         session: Session = OperatorSession) -> Response:
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if not (file.filename or "").lower().endswith((".json", ".csv")) or not content:
        session.flash("请上传 .json 或 .csv 格式的课程目录文件。")
        return redirect("/admin/catalog")
    if len(content) > MAX_UPLOAD_BYTES:
        session.flash("文件超过 5 MB，请拆分后分别导入。")
        return redirect("/admin/catalog")
    downstream = portal_of(request).downstream
    response = await downstream.clients["learning"].post(
        "/api/learning/catalog/import", headers={"Authorization": f"Bearer {session.token}"},
        files={"file": (file.filename, content, file.content_type or "application/octet-stream")})
    body = response.json() if response.content else {}
    if response.status_code == 422 and "rows" in body:
        session.flash(body["error"]["message"])
        courses = await downstream.call("learning", "GET", "/api/learning/courses", session.token,
                                        params={"include_withdrawn": "true"})
        return render(request, "admin/catalog.html", status_code=422, active="catalog",
                      courses=courses, category="", import_rows=body["rows"])
    if response.status_code >= 400:
        raise downstream.error_of("learning", "POST", "/api/learning/catalog/import", response)
    session.flash(f"导入完成：新增 {body.get('created', 0)} 门，修订 {body.get('revised', 0)} 门，"
                  f"未变化 {body.get('unchanged', 0)} 门。", "success")
    return redirect("/admin/catalog")


@router.post("/catalog/{course_id}/withdraw")
async def withdraw_course(request: Request, course_id: str,
                          session: Session = OperatorSession) -> Response:
    await portal_of(request).downstream.call(
        "learning", "POST", f"/api/learning/courses/{course_id}/withdraw", session.token)
    session.flash("课程已下架。已选该课程的班级仍可继续学习。", "success")
    return redirect("/admin/catalog")


@router.get("/catalog/{course_id}/bank")
async def question_bank(request: Request, course_id: str,
                        session: Session = OperatorSession) -> Response:
    downstream = portal_of(request).downstream
    course = await downstream.call("learning", "GET", f"/api/learning/courses/{course_id}",
                                   session.token)
    bank = await downstream.call("assessment", "GET", f"/api/assessment/banks/{course_id}",
                                 session.token)
    return render(request, "admin/bank.html", active="catalog", course=course, bank=bank)


@router.post("/catalog/{course_id}/bank/import")
async def import_questions(request: Request, course_id: str, file: UploadFile,
                           session: Session = OperatorSession) -> Response:
    """Replace-free import of a JSON file: a list of questions or {"questions": [...]}."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        session.flash("题库文件不是有效的 JSON（UTF-8 编码），请检查文件格式。")
        return redirect(f"/admin/catalog/{course_id}/bank")
    questions = document.get("questions") if isinstance(document, dict) else document
    if not isinstance(questions, list) or not questions:
        session.flash("题库文件中没有题目：应为题目列表，或包含 questions 列表的对象。")
        return redirect(f"/admin/catalog/{course_id}/bank")
    await portal_of(request).downstream.call(
        "assessment", "POST", f"/api/assessment/banks/{course_id}/import", session.token,
        json={"questions": questions})
    session.flash(f"已导入 {len(questions)} 道题。", "success")
    return redirect(f"/admin/catalog/{course_id}/bank")


@router.post("/catalog/{course_id}/bank/{question_id}/retire")
async def retire_question(request: Request, course_id: str, question_id: str,
                          session: Session = OperatorSession) -> Response:
    await portal_of(request).downstream.call(
        "assessment", "DELETE", f"/api/assessment/banks/{course_id}/questions/{question_id}",
        session.token)
    session.flash("该题已停用，之后的测验不再抽取。", "success")
    return redirect(f"/admin/catalog/{course_id}/bank")


# --- announcements and manuals ------------------------------------------------


@router.get("/articles")
async def articles(request: Request, edit: str = "", session: Session = OperatorSession) -> Response:
    infocentre = portal_of(request).infocentre
    return render(request, "admin/articles.html", active="articles", articles=infocentre.list_articles(),
                  editing=infocentre.get(edit) if edit else None, categories=CATEGORIES)


@router.post("/articles")
async def save_article(
    request: Request, category: Text, title: Text, body: Text,
    article_id: Annotated[str, Form()] = "", pinned: Annotated[str, Form()] = "",
    session: Session = OperatorSession,
) -> Response:
    if category not in CATEGORIES or not title.strip() or not body.strip():
        session.flash("请选择分类并填写标题和正文。")
        return redirect("/admin/articles")
    portal_of(request).infocentre.save(article_id or None, category, title.strip(), body.strip(),
                                       pinned=bool(pinned))
    session.flash("已保存并发布到信息中心。", "success")
    return redirect("/admin/articles")


@router.post("/articles/{article_id}/delete")
async def delete_article(request: Request, article_id: str,
                         session: Session = OperatorSession) -> Response:
    deleted = portal_of(request).infocentre.delete(article_id)
    session.flash("已删除。" if deleted else "该内容已不存在。", "success" if deleted else "info")
    return redirect("/admin/articles")


# --- certificate revocation ---------------------------------------------------


@router.get("/certificates")
async def certificates(request: Request, code: str = "", session: Session = OperatorSession) -> Response:
    found = None
    if code.strip():
        found = await portal_of(request).downstream.call(
            "credential", "GET", f"/api/credential/verify/{code.strip()}")
    return render(request, "admin/certificates.html", active="certificates", code=code, found=found)


@router.post("/certificates/revoke")
async def revoke_certificate(request: Request, certificate_id: Text, reason: Text,
                             session: Session = OperatorSession) -> Response:
    if not reason.strip():
        session.flash("请填写撤销原因，原因会显示在查验页面上。")
        return redirect("/admin/certificates")
    await portal_of(request).downstream.call(
        "credential", "POST", f"/api/credential/certificates/{certificate_id.strip()}/revocation",
        session.token, json={"reason": reason.strip()})
    logger.info("certificate %s revoked by the operator", certificate_id.strip())
    session.flash("证书已撤销，查验页面将显示为无效。", "success")
    return redirect("/admin/certificates")
