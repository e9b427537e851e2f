"""Admin console of regional offices: roster search, add, correct, mark as left,
file import with per-row results. Province operators may act for any office."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from portal_service.formatting import GRADE_LABELS
from portal_service.pages import (
    PROVINCE_OPERATOR,
    AdminSession,
    portal_of,
    redirect,
    render,
)
from portal_service.routes import admin_operator, admin_report
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin")
router.include_router(admin_report.router)
router.include_router(admin_operator.router)

Text = Annotated[str, Form()]
ROSTER_FIELDS = ("name", "employing_unit", "employing_unit_credit_code", "grade", "mobile")
PAGE_SIZE = 50
ALLOWED_IMPORT_SUFFIXES = (".csv", ".xlsx")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@router.get("")
async def console(request: Request, session: Session = AdminSession) -> Response:
    return redirect("/admin/roster")


async def offices_for(request: Request, session: Session) -> list[dict[str, Any]]:
    """Offices the user may act for: their own, or every office for the operator."""
    body = await portal_of(request).downstream.call("identity", "GET", "/api/offices")
    offices = body.get("offices", [])
    if session.role == PROVINCE_OPERATOR:
        return offices
    own = session.user.get("office_id")
    return [office for office in offices if office.get("office_id") == own]


def chosen_office(session: Session, requested: str) -> str:
    """Regional admins always act for their own office, whatever office the form contains."""
    if session.role == PROVINCE_OPERATOR:
        return requested
    return str(session.user.get("office_id") or "")


def entry_page(entry_id: str) -> str:
    return f"/admin/roster/{entry_id}"


@router.get("/roster")
async def roster(
    request: Request, q: str = "", status: str = "", office_id: str = "", page: int = 1,
    session: Session = AdminSession,
) -> Response:
    offices = await offices_for(request, session)
    office_id = chosen_office(session, office_id)
    page = max(page, 1)
    params = {"office_id": office_id, "q": q.strip(), "status": status, "page": page,
              "page_size": PAGE_SIZE}
    body = await portal_of(request).downstream.call(
        "identity", "GET", "/api/roster", session.token,
        params={key: value for key, value in params.items() if value != ""})
    pages = max(1, -(-int(body.get("total", 0)) // PAGE_SIZE))
    return render(request, "admin/roster.html", active="roster", result=body, q=q, status=status,
                  office_id=office_id, page=page, pages=pages, offices=offices)


@router.get("/roster/new")
async def new_entry_form(request: Request, session: Session = AdminSession) -> Response:
    return render(request, "admin/roster_entry.html", active="roster", entry=None,
                  grades=GRADE_LABELS, offices=await offices_for(request, session))


@router.post("/roster/new")
async def add_entry(
    request: Request, name: Text, id_number: Text, employing_unit: Text,
    employing_unit_credit_code: Text, grade: Text, mobile: Annotated[str, Form()] = "",
    office_id: Annotated[str, Form()] = "", session: Session = AdminSession,
) -> Response:
    payload = {
        "office_id": chosen_office(session, office_id) or None,
        "name": name.strip(),
        "id_number": id_number.strip().upper(),
        "employing_unit": employing_unit.strip(),
        "employing_unit_credit_code": employing_unit_credit_code.strip().upper(),
        "grade": grade,
        "mobile": mobile.strip(),
    }
    body = await portal_of(request).downstream.call("identity", "POST", "/api/roster",
                                                    session.token, json=payload)
    flash_warnings(session, body)
    session.flash("已新增人员。", "success")
    return redirect(entry_page(body["entry"]["entry_id"]))


@router.get("/roster/import")
async def import_form(request: Request, session: Session = AdminSession) -> Response:
    return render(request, "admin/roster_import.html", active="import", result=None,
                  offices=await offices_for(request, session))


@router.post("/roster/import")
async def import_roster(request: Request, file: UploadFile,
                        office_id: Annotated[str, Form()] = "",
                        session: Session = AdminSession) -> Response:
    """Send the file to identity and show the result of every row."""
    file_name = file.filename or ""
    if not file_name.lower().endswith(ALLOWED_IMPORT_SUFFIXES):
        session.flash("请上传 .xlsx 或 .csv 格式的花名册文件。")
        return redirect("/admin/roster/import")
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if not content:
        session.flash("上传的文件是空的，请选择填好的花名册文件。")
        return redirect("/admin/roster/import")
    if len(content) > MAX_IMPORT_BYTES:
        session.flash("文件超过 10 MB，请拆分成多个文件后分别导入。")
        return redirect("/admin/roster/import")
    office_id = chosen_office(session, office_id)
    result = await portal_of(request).downstream.call(
        "identity", "POST", "/api/roster/import", session.token,
        data={"office_id": office_id} if office_id else None,
        files={"file": (file_name, content, file.content_type or "application/octet-stream")},
    )
    logger.info("roster import into office %s: %s rows, %s rejected", office_id,
                result.get("total_rows"), len(result.get("rejected", [])))
    return render(request, "admin/roster_import.html", active="import", result=result,
                  offices=await offices_for(request, session))


@router.get("/roster/{entry_id}")
async def edit_entry_form(request: Request, entry_id: str, session: Session = AdminSession) -> Response:
    entry = await portal_of(request).downstream.call("identity", "GET", f"/api/roster/{entry_id}",
                                                     session.token)
    return render(request, "admin/roster_entry.html", active="roster", entry=entry,
                  grades=GRADE_LABELS, offices=[])


@router.post("/roster/{entry_id}")
async def correct_entry(request: Request, entry_id: str, session: Session = AdminSession) -> Response:
    """更正: send only the fields that changed."""
    form = await request.form()
    downstream = portal_of(request).downstream
    entry = await downstream.call("identity", "GET", f"/api/roster/{entry_id}", session.token)
    changes = {}
    for field in ROSTER_FIELDS:
        value = str(form.get(field, "")).strip()
        if field == "employing_unit_credit_code":
            value = value.upper()
        if value != str(entry.get(field) or ""):
            changes[field] = value
    if not changes:
        session.flash("没有修改任何内容。", "info")
        return redirect(entry_page(entry_id))
    body = await downstream.call("identity", "PATCH", f"/api/roster/{entry_id}", session.token,
                                 json=changes)
    flash_warnings(session, body)
    session.flash("人员信息已更正。", "success")
    return redirect(entry_page(entry_id))


@router.post("/roster/{entry_id}/leave")
async def mark_left(request: Request, entry_id: str, session: Session = AdminSession) -> Response:
    await portal_of(request).downstream.call("identity", "POST", f"/api/roster/{entry_id}/leave",
                                             session.token)
    session.flash("已标记为离岗，该人员将不能再登录学习。", "success")
    return redirect(entry_page(entry_id))


@router.post("/roster/{entry_id}/account")
async def open_account(request: Request, entry_id: str, initial_password: Text,
                       session: Session = AdminSession) -> Response:
    await portal_of(request).downstream.call(
        "identity", "POST", f"/api/roster/{entry_id}/account", session.token,
        json={"initial_password": initial_password})
    session.flash("已开通账号，学员首次登录时须修改密码。", "success")
    return redirect(entry_page(entry_id))


def flash_warnings(session: Session, body: dict[str, Any]) -> None:
    for warning in body.get("warnings") or []:
        session.flash(str(warning), "info")
