"""Admin console pages against the fake services."""

import io

import httpx
from openpyxl import load_workbook

from portal_testkit import csrf_of
from portal_fakes import FakeState


async def test_roster_search_own_office(regional_admin: httpx.AsyncClient,
                                        fake: FakeState) -> None:
    page = await regional_admin.get("/admin/roster?q=张&office_id=nantong-tongzhou")
    assert "张三" in page.text
    assert fake.called("GET", "/api/roster") == [None]
    assert "office_id=nantong-haimen" in fake.queries[-1]


async def test_roster_import_shows_rejected_rows(regional_admin: httpx.AsyncClient,
                                                 fake: FakeState) -> None:
    form = await regional_admin.get("/admin/roster/import")
    page = await regional_admin.post(
        "/admin/roster/import",
        data={"csrf_token": csrf_of(form.text), "office_id": "nantong-tongzhou"},
        files={"file": ("roster.csv", "姓名,身份证号\n".encode(), "text/csv")})
    assert page.status_code == 200
    assert "未导入的行" in page.text
    assert "身份证号校验位不正确" in page.text
    assert "第 3 行：统一社会信用代码校验位不正确" in page.text
    sent = fake.called("POST", "/api/roster/import")[0]
    assert b'name="office_id"\r\n\r\nnantong-haimen' in sent


async def test_roster_import_rejects_other_formats(regional_admin: httpx.AsyncClient,
                                                   fake: FakeState) -> None:
    form = await regional_admin.get("/admin/roster/import")
    response = await regional_admin.post(
        "/admin/roster/import", data={"csrf_token": csrf_of(form.text)},
        files={"file": ("roster.pdf", b"%PDF", "application/pdf")})
    assert response.status_code == 303
    assert "请上传 .xlsx 或 .csv" in (await regional_admin.get("/admin/roster/import")).text
    assert not fake.called("POST", "/api/roster/import")


async def test_report_exports_xlsx(regional_admin: httpx.AsyncClient, fake: FakeState) -> None:
    page = await regional_admin.get("/admin/report?year=2099")
    assert "海门某单位" in page.text
    export = await regional_admin.get("/admin/report.xlsx?year=2099")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工作单位", "统一社会信用代码", "在册人数")
    assert rows[1][0] == "海门某单位"
    assert rows[-1][0] == "合计"
    params = [call for call in fake.calls if call[1] == "/api/enrollment/reports/completion"]
    assert params


async def test_report_missing_service_explained(regional_admin: httpx.AsyncClient,
                                                fake: FakeState) -> None:
    fake.report_available = False
    page = await regional_admin.get("/admin/report")
    assert "统计数据暂未开放" in page.text


async def test_operator_publishes_announcement(operator: httpx.AsyncClient) -> None:
    form = await operator.get("/admin/articles")
    response = await operator.post("/admin/articles", data={
        "csrf_token": csrf_of(form.text), "category": "announcement",
        "title": "关于延长学习时间的通知", "body": "学习截止时间延长。", "pinned": "1"})
    assert response.status_code == 303
    listed = await operator.get("/admin/articles")
    assert "关于延长学习时间的通知" in listed.text


async def test_regional_admin_cannot_edit_announcements(regional_admin: httpx.AsyncClient) -> None:
    response = await regional_admin.get("/admin/articles")
    assert response.status_code == 303
