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


async def test_report_page_renders_rows(regional_admin: httpx.AsyncClient, fake: FakeState) -> None:
    page = await regional_admin.get("/admin/report?year=2099")

    assert page.status_code == 200
    assert "已注册人数" in page.text
    assert "<td>海门某单位</td>" in page.text
    assert "<td>12320684MB0000001X</td>" in page.text
    assert "<td>120</td>" in page.text
    assert "<th>150</th>" in page.text  # hours total of both units
    assert fake.called("GET", "/api/enrollment/reports/completion") == [None]
    assert "training_year=2099" in fake.queries[-1]
    assert "office_id=nantong-haimen" in fake.queries[-1]


async def test_report_exports_xlsx(regional_admin: httpx.AsyncClient, fake: FakeState) -> None:
    export = await regional_admin.get("/admin/report.xlsx?year=2099&office_id=nantong-tongzhou")

    assert export.status_code == 200
    assert 'filename="completion-nantong-haimen-2099.xlsx"' in export.headers["content-disposition"]
    # A regional admin's export is always for their own office, whatever office the link contains.
    assert "office_id=nantong-haimen" in fake.queries[-1]
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作单位", "统一社会信用代码", "已注册人数", "报名人数", "缴费人数",
                       "已获课时合计", "合格人数")
    assert rows[1] == ("海门某单位", "12320684MB0000000X", 10, 8, 7, 120, 3)
    assert rows[2] == ("海门另一单位", "12320684MB0000001X", 4, 2, 2, 30, 1)
    assert rows[3] == ("合计", None, 14, 10, 9, 150, 4)
    assert len(rows) == 4


async def test_operator_report_whole_province(operator: httpx.AsyncClient, fake: FakeState) -> None:
    page = await operator.get("/admin/report?year=2099")

    assert "（全省）" in page.text
    assert '<option value="nantong-tongzhou"' in page.text
    report_queries = [query for (_, path, _), query in zip(fake.calls, fake.queries, strict=True)
                      if path == "/api/enrollment/reports/completion"]
    assert report_queries == ["training_year=2099"]


async def test_report_error_shown_in_chinese(regional_admin: httpx.AsyncClient,
                                             fake: FakeState) -> None:
    fake.fail("GET", "/api/enrollment/reports/completion", 403, "other_office",
              "您只能查看本工考办所辖地区的统计数据，请选择本工考办后重试。")

    page = await regional_admin.get("/admin/report")

    assert page.status_code == 403
    assert "您只能查看本工考办所辖地区的统计数据" in page.text


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


async def test_report_defaults_to_started_year(regional_admin: httpx.AsyncClient,
                                               fake: FakeState) -> None:
    page = await regional_admin.get("/admin/report")

    assert page.status_code == 200
    # 2099's learning window has started and 2100's has not, so 2099 is the latest started year.
    assert "training_year=2099" in fake.queries[-1]
    assert '<option value="2099" selected>2099年度</option>' in page.text
    assert '<option value="2100" >2100年度</option>' in page.text
    assert '<option value="2026" >2026年度</option>' in page.text


async def test_report_rejects_year_not_a_number(regional_admin: httpx.AsyncClient,
                                                fake: FakeState) -> None:
    page = await regional_admin.get("/admin/report?year=abc")

    assert page.status_code == 400
    assert "培训年度应为 2000 至 2100 之间的四位年份" in page.text
    assert "training_year" not in page.text
    assert fake.called("GET", "/api/enrollment/reports/completion") == []


async def test_roster_header_office_not_doubled(regional_admin: httpx.AsyncClient,
                                                fake: FakeState) -> None:
    page = await regional_admin.get("/admin/roster")

    assert "工考办：南通市海门区" in page.text


async def test_office_select_not_doubled(operator: httpx.AsyncClient) -> None:
    page = await operator.get("/admin/report?year=2099")

    assert ">南通市本级（含崇川、开发区、苏锡通）</option>" in page.text
    assert "南通市南通市" not in page.text
