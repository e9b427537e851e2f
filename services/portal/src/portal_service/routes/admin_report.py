"""Completion report by employing unit, on screen and as an .xlsx download.

Regional admins see their own office; the province operator sees the whole
province or one office. The enrollment service computes the figures.
"""

import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook

from portal_service.pages import PROVINCE_OPERATOR, AdminSession, portal_of, render
from portal_service.sessions import Session

router = APIRouter()

REPORT_PATH = "/api/enrollment/reports/completion"
# "registered" counts learners who activated an account: the roster itself stays
# in the identity service and is not published, so it cannot be counted here.
COLUMNS = (
    ("employing_unit", "工作单位"),
    ("credit_code", "统一社会信用代码"),
    ("registered", "已注册人数"),
    ("enrolled", "报名人数"),
    ("paid", "缴费人数"),
    ("hours", "已获课时合计"),
    ("qualified", "合格人数"),
)
COUNT_KEYS = tuple(key for key, _ in COLUMNS[2:])


async def load_report(request: Request, session: Session, year: str, office_id: str) -> dict[str, Any]:
    """Fetch the report. A regional admin always requests their own office."""
    params = {"training_year": year} if year else {}
    if session.role != PROVINCE_OPERATOR:
        office_id = str(session.user.get("office_id") or "")
    if office_id:
        params["office_id"] = office_id
    return await portal_of(request).downstream.call("enrollment", "GET", REPORT_PATH,
                                                    session.token, params=params)


@router.get("/report")
async def report(request: Request, year: str = "", office_id: str = "",
                 session: Session = AdminSession) -> Response:
    data = await load_report(request, session, year, office_id)
    offices = await province_offices(request) if session.role == PROVINCE_OPERATOR else []
    return render(request, "admin/report.html", active="report", data=data, year=year,
                  office_id=office_id, offices=offices, columns=COLUMNS,
                  totals=report_totals(data.get("rows", [])))


@router.get("/report.xlsx")
async def report_xlsx(request: Request, year: str = "", office_id: str = "",
                      session: Session = AdminSession) -> Response:
    data = await load_report(request, session, year, office_id)
    content = build_workbook(data.get("rows", []))
    scope = data.get("office_id") or "province"
    file_name = f"completion-{scope}-{data.get('training_year', year)}.xlsx"
    return Response(content, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


async def province_offices(request: Request) -> list[dict[str, Any]]:
    """List every regional office, for the operator's office filter."""
    body = await portal_of(request).downstream.call("identity", "GET", "/api/offices")
    return list(body.get("offices", []))


def report_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {key: sum(int(row.get(key) or 0) for row in rows) for key in COUNT_KEYS}


def build_workbook(rows: list[dict[str, Any]]) -> bytes:
    """Write the report rows, one unit per line, with a total line at the end."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "完成情况"
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        sheet.append([row.get(key, "") for key, _ in COLUMNS])
    totals = report_totals(rows)
    sheet.append(["合计", ""] + [totals[key] for key in COUNT_KEYS])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
