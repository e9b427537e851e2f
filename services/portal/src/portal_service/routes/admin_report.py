"""Completion report by employing unit, on screen and as an .xlsx download.

Regional admins see their own office; the province operator sees the whole
province or one office. The enrollment service computes the figures.
"""

import io
import logging
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook

from eventplatform.clock import SHANGHAI

from portal_service.pages import PROVINCE_OPERATOR, AdminSession, portal_of, render
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

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


class InvalidYear(ValueError):
    """The year in the query string is not a training year."""


def default_year(calendar: list[dict[str, Any]], today: date) -> int | None:
    """Pick the latest training year whose learning window has started by ``today``.

    A year that has not started yet has no learners, so showing it first would
    show an empty report. Returns None for an empty calendar, which leaves the
    choice to the enrollment service (the current year).
    """
    started = [int(entry["training_year"]) for entry in calendar
               if str(entry.get("learning_window", {}).get("starts_on", "9999")) <= today.isoformat()]
    if started:
        return max(started)
    listed = [int(entry["training_year"]) for entry in calendar]
    return min(listed) if listed else None


async def report_year(request: Request, session: Session, typed: str) -> tuple[int | None, list[int]]:
    """Return the year to report on and the years the year select offers."""
    body = await portal_of(request).downstream.call("enrollment", "GET",
                                                    "/api/enrollment/calendar", session.token)
    calendar = list(body.get("years", []))
    offered = sorted({int(entry["training_year"]) for entry in calendar}, reverse=True)
    typed = typed.strip()
    if not typed:
        return default_year(calendar, datetime.now(SHANGHAI).date()), offered
    if not (typed.isdigit() and 2000 <= int(typed) <= 2100):
        raise InvalidYear(typed)
    if int(typed) not in offered:
        offered = sorted([*offered, int(typed)], reverse=True)
    return int(typed), offered


async def load_report(request: Request, session: Session, year: int | None,
                      office_id: str) -> dict[str, Any]:
    """Fetch the report. A regional admin always requests their own office."""
    params = {"training_year": str(year)} if year else {}
    if session.role != PROVINCE_OPERATOR:
        office_id = str(session.user.get("office_id") or "")
    if office_id:
        params["office_id"] = office_id
    return await portal_of(request).downstream.call("enrollment", "GET", REPORT_PATH,
                                                    session.token, params=params)


@router.get("/report")
async def report(request: Request, year: str = "", office_id: str = "",
                 session: Session = AdminSession) -> Response:
    try:
        chosen, years = await report_year(request, session, year)
    except InvalidYear:
        logger.info("completion report rejected: year parameter is not a training year")
        return invalid_year_page(request)
    data = await load_report(request, session, chosen, office_id)
    offices = await province_offices(request) if session.role == PROVINCE_OPERATOR else []
    return render(request, "admin/report.html", active="report", data=data, years=years,
                  office_id=office_id, offices=offices, columns=COLUMNS,
                  totals=report_totals(data.get("rows", [])))


@router.get("/report.xlsx")
async def report_xlsx(request: Request, year: str = "", office_id: str = "",
                      session: Session = AdminSession) -> Response:
    try:
        chosen, _ = await report_year(request, session, year)
    except InvalidYear:
        logger.info("completion report download rejected: year parameter is not a training year")
        return invalid_year_page(request)
    data = await load_report(request, session, chosen, office_id)
    content = build_workbook(data.get("rows", []))
    scope = data.get("office_id") or "province"
    file_name = f"completion-{scope}-{data.get('training_year', year)}.xlsx"
    return Response(content, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


def invalid_year_page(request: Request) -> Response:
    return render(request, "error.html", status_code=400,
                  message="培训年度应为 2000 至 2100 之间的四位年份，请返回统计页面重新选择。")


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
