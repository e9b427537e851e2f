"""Completion report by employing unit, on screen and as an .xlsx download.

Regional admins see their own office; the province operator sees every office.
"""

import io
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook

from portal_service.clients import ServiceError
from portal_service.pages import PROVINCE_OPERATOR, AdminSession, portal_of, render
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter()

# NOTE: no service publishes this report yet. The page calls the path below and
# expects {"training_year", "rows": [{"employing_unit", "credit_code", "roster",
# "enrolled", "paid", "hours", "qualified"}]}; until it exists the page shows a notice.
REPORT_PATH = "/api/enrollment/reports/completion"
COLUMNS = (
    ("employing_unit", "工作单位"),
    ("credit_code", "统一社会信用代码"),
    ("roster", "在册人数"),
    ("enrolled", "报名人数"),
    ("paid", "缴费人数"),
    ("hours", "已获课时合计"),
    ("qualified", "合格人数"),
)


async def load_report(request: Request, session: Session, year: str) -> dict[str, Any] | None:
    """Return the report rows, or None when no service offers the report yet."""
    params = {"training_year": year} if year else {}
    if session.role != PROVINCE_OPERATOR:
        params["office_id"] = str(session.user.get("office_id") or "")
    try:
        return await portal_of(request).downstream.call("enrollment", "GET", REPORT_PATH,
                                                        session.token, params=params)
    except ServiceError as error:
        if error.status in (404, 405):
            logger.info("completion report endpoint missing (%s)", error.status)
            return None
        raise


@router.get("/report")
async def report(request: Request, year: str = "", session: Session = AdminSession) -> Response:
    data = await load_report(request, session, year)
    return render(request, "admin/report.html", active="report", data=data, year=year,
                  columns=COLUMNS)


@router.get("/report.xlsx")
async def report_xlsx(request: Request, year: str = "", session: Session = AdminSession) -> Response:
    data = await load_report(request, session, year)
    if data is None:
        session.flash("统计数据暂未开放，暂时无法导出。")
        return Response(status_code=303, headers={"Location": "/admin/report"})
    content = build_workbook(data.get("rows", []))
    scope = "province" if session.role == PROVINCE_OPERATOR else str(session.user.get("office_id"))
    file_name = f"completion-{scope}-{data.get('training_year', year) or 'all'}.xlsx"
    return Response(content, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


def build_workbook(rows: list[dict[str, Any]]) -> bytes:
    """Write the report rows, one unit per line, with a total line at the end."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "完成情况"
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        sheet.append([row.get(key, "") for key, _ in COLUMNS])
    totals = ["合计", ""] + [sum(int(row.get(key) or 0) for row in rows) for key, _ in COLUMNS[2:]]
    sheet.append(totals)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
