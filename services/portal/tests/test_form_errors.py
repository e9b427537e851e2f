"""What the user sees after a rejected form: typed values kept, Chinese messages only."""

import httpx

from portal_service.api import invalid_request_message
from portal_service.formatting import office_label, replace_field_names

from portal_testkit import csrf_of
from portal_fakes import CLASS_ID, ORDER_ID, FakeState

NOT_ON_ROSTER_OFFICES = [{"office_id": "nantong-city", "city_name": "南通市",
                          "name": "南通市本级（含崇川、开发区、苏锡通）", "address": "工农路1号",
                          "phone": "0513-1"}]


async def test_order_error_keeps_typed_invoice(learner: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("POST", "/api/enrollment/orders", 422, "invalid_input",
              "提交的内容不完整或格式不正确：invoice_credit_code")
    form = await learner.get("/enroll/order?year=2099")
    rejected = await learner.post("/enroll/order", data={
        "csrf_token": csrf_of(form.text), "training_year": "2099", "invoice_title": "南通某医院",
        "invoice_credit_code": "12345", "invoice_email": "cw@example.cn"})
    assert rejected.status_code == 303
    assert rejected.headers["location"] == "/"  # the test client sends the home page as referer

    again = await learner.get("/enroll/order?year=2099")
    assert "提交的内容不完整或格式不正确：统一社会信用代码" in again.text
    assert "invoice_credit_code<" not in again.text
    assert 'value="南通某医院"' in again.text
    assert 'value="12345"' in again.text
    assert 'value="cw@example.cn"' in again.text


async def test_order_form_defaults_without_error(learner: httpx.AsyncClient) -> None:
    form = await learner.get("/enroll/order?year=2099")
    assert 'value="海门某单位"' in form.text
    assert 'value="12320684MB0000000X"' in form.text
    assert 'id="invoice_email" name="invoice_email" type="email" maxlength="100" required value=""' \
        in form.text


async def test_activation_not_on_roster_keeps_fields(portal: httpx.AsyncClient,
                                                     fake: FakeState) -> None:
    fake.fail("POST", "/api/activation/sms", 404, "not_on_roster", "您不在花名册中，请联系属地工考办。",
              offices=NOT_ON_ROSTER_OFFICES)
    form = await portal.get("/activate")
    page = await portal.post("/activate/sms", data={
        "csrf_token": csrf_of(form.text), "name": "陈建国", "id_number": "320602198503150014",
        "mobile": "13900000001"})
    assert page.status_code == 404
    assert 'value="陈建国"' in page.text
    assert 'value="320602198503150014"' in page.text
    assert 'value="13900000001"' in page.text
    assert "南通市南通市" not in page.text
    assert "南通市本级（含崇川、开发区、苏锡通）" in page.text
    assert '<div class="narrow">' in page.text


async def test_activation_error_keeps_fields(portal: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("POST", "/api/activation/sms", 429, "too_many_codes", "验证码发送过于频繁，请稍后再试。")
    form = await portal.get("/activate")
    await portal.post("/activate/sms", data={
        "csrf_token": csrf_of(form.text), "name": "陈建国", "id_number": "320602198503150014",
        "mobile": "13900000001"})
    page = await portal.get("/activate")
    assert "验证码发送过于频繁" in page.text
    assert 'value="陈建国"' in page.text
    assert 'value="13900000001"' in page.text


async def test_missing_form_field_shows_chinese_page(learner: httpx.AsyncClient,
                                                     fake: FakeState) -> None:
    form = await learner.get("/enroll/order?year=2099")
    page = await learner.post("/enroll/order", data={
        "csrf_token": csrf_of(form.text), "training_year": "2099", "invoice_title": "南通某医院",
        "invoice_credit_code": "12320684MB0000000X"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "电子邮箱" in page.text
    assert "invoice_email" not in page.text.replace('name="invoice_email"', "")
    assert '"detail"' not in page.text
    assert fake.called("POST", "/api/enrollment/orders") == []


async def test_bad_query_parameter_shows_label(regional_admin: httpx.AsyncClient) -> None:
    page = await regional_admin.get("/admin/roster?page=abc")
    assert page.status_code == 422
    assert "以下内容未填写或格式不正确：页码" in page.text
    assert "：page" not in page.text


def test_unknown_field_gets_generic_message() -> None:
    message = invalid_request_message(["session_id"])
    assert message == "提交的内容不完整或格式不正确，请返回上一页检查后重新提交。"
    assert invalid_request_message(["year", "training_year"]) == (
        "以下内容未填写或格式不正确：培训年度。请返回上一页修改后重新提交。")


def test_field_names_replaced_in_messages() -> None:
    assert replace_field_names("请填写invoice_email。") == "请填写电子邮箱。"
    assert replace_field_names("格式不正确：training_year、invoice_title") == "格式不正确：培训年度、发票抬头"
    assert replace_field_names("my_training_year_x") == "my_training_year_x"


def test_office_label_adds_city_once() -> None:
    assert office_label({"city_name": "南通市", "name": "海门区"}) == "南通市海门区"
    assert office_label({"city_name": "南通市", "name": "南通市本级（含崇川、开发区、苏锡通）"}) == (
        "南通市本级（含崇川、开发区、苏锡通）")
    assert office_label({"name": "省直"}) == "省直"


async def test_pay_and_cancel_buttons_spaced(learner: httpx.AsyncClient) -> None:
    page = await learner.get(f"/enroll/orders/{ORDER_ID}")
    actions = page.text.split('<div class="actions">', 1)[1].split("</div>", 1)[0]
    assert "立即支付" in actions
    assert 'form="cancel-order"' in actions
    assert '<form id="cancel-order" method="post"' in page.text


async def test_course_table_stacks_on_phone(learner: httpx.AsyncClient) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}")
    assert '<table id="course-table" class="stack-on-phone">' in page.text
    for label in ("课程", "类别", "课时", "进度", "测验", "操作"):
        assert f'data-label="{label}"' in page.text
    css = (await learner.get("/static/portal.css")).text
    assert "table.stack-on-phone td::before { content: attr(data-label)" in css
    assert "display: flex; flex-wrap: wrap; }" in css  # the learner tab bar wraps on phones
