"""Learner centre pages against the fake services."""

import httpx

from portal_testkit import csrf_of
from portal_fakes import (
    ATTEMPT_ID,
    CHAPTER_ID,
    CLASS_ID,
    COURSE_ID,
    ORDER_ID,
    PAYMENT_ID,
    FakeState,
)


async def test_my_classes_lists_class(learner: httpx.AsyncClient) -> None:
    page = await learner.get("/learner/classes")
    assert "我的班级" in page.text
    assert "立即学习" in page.text
    assert "打印培训证明" not in page.text


async def test_qualified_class_offers_certificate(learner: httpx.AsyncClient,
                                                  fake: FakeState) -> None:
    fake.class_status = "qualified"
    page = await learner.get("/learner/classes")
    assert "打印培训证明" in page.text


async def test_class_home_shows_progress_and_notes(learner: httpx.AsyncClient) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}")
    assert page.status_code == 200
    assert "选课情况" in page.text
    assert "100%" in page.text
    assert "培训须知" in page.text
    assert f"/learner/classes/{CLASS_ID}/courses/{COURSE_ID}/test" in page.text


async def test_selection_shows_hours_needed(learner: httpx.AsyncClient) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}/select?category=political&show=selected")
    assert "还需 <strong>5</strong>" in page.text
    assert "查看已选择课程" in page.text
    assert "确认选中的课程" in page.text
    assert "苏学堂" in page.text


async def test_confirm_names_missing_categories(learner: httpx.AsyncClient,
                                                fake: FakeState) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}/select")
    response = await learner.post(f"/learner/classes/{CLASS_ID}/select/confirm",
                                  data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    follow = await learner.get(response.headers["location"])
    assert "还需选择：思政5课时" in follow.text
    assert fake.called("POST", f"/api/enrollment/classes/{CLASS_ID}/selection/confirm")


async def test_service_error_becomes_flash(learner: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("POST", f"/api/enrollment/classes/{CLASS_ID}/selection", 409,
              "course_already_selected", "该课程已在您的选课中，请选择其他课程。")
    page = await learner.get(f"/learner/classes/{CLASS_ID}/select")
    response = await learner.post(
        f"/learner/classes/{CLASS_ID}/select",
        data={"csrf_token": csrf_of(page.text), "course_id": COURSE_ID, "category": "political"},
        headers={"referer": f"http://portal.test/learner/classes/{CLASS_ID}/select"})
    assert response.headers["location"] == f"/learner/classes/{CLASS_ID}/select"
    follow = await learner.get(response.headers["location"])
    assert "该课程已在您的选课中，请选择其他课程。" in follow.text


async def test_unreachable_service_shows_hotline(learner: httpx.AsyncClient,
                                                 fake: FakeState) -> None:
    fake.fail("GET", "/api/enrollment/classes", 500, "", "")
    page = await learner.get("/learner/classes")
    assert page.status_code == 500
    assert "400-000-0000" in page.text


async def test_expired_token_logs_out(learner: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("GET", "/api/enrollment/classes", 401, "invalid_token", "登录已失效，请重新登录。")
    response = await learner.get("/learner/classes")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/?next=")
    fake.errors.clear()
    assert (await learner.get("/learner/classes")).status_code == 303


async def test_enrollment_order_to_bank(learner: httpx.AsyncClient, fake: FakeState) -> None:
    order_page = await learner.get("/enroll/order?year=2099")
    assert "海门某单位" in order_page.text
    placed = await learner.post("/enroll/order", data={
        "csrf_token": csrf_of(order_page.text), "training_year": "2099",
        "invoice_title": "海门某单位", "invoice_credit_code": "12320684mb0000000x",
        "invoice_email": "cw@example.cn"})
    assert placed.headers["location"] == f"/enroll/orders/{ORDER_ID}"
    sent = fake.called("POST", "/api/enrollment/orders")[0]
    assert sent["invoice_credit_code"] == "12320684MB0000000X"

    pay_page = await learner.get(placed.headers["location"])
    assert "银联在线支付" in pay_page.text
    to_bank = await learner.post(f"/enroll/orders/{ORDER_ID}/pay",
                                 data={"csrf_token": csrf_of(pay_page.text), "channel": "unionpay"})
    assert to_bank.status_code == 303
    assert to_bank.headers["location"] == f"http://127.0.0.1:8009/pay/{PAYMENT_ID}"


async def test_return_page_polls_until_class_opens(learner: httpx.AsyncClient,
                                                   fake: FakeState) -> None:
    page = await learner.get(f"/learner/payments/return?order_id={ORDER_ID}&payment_id={PAYMENT_ID}")
    assert "正在确认支付结果" in page.text
    progress_url = f"/learner/api/payments/{PAYMENT_ID}/progress?order_id={ORDER_ID}"

    paying = (await learner.get(progress_url)).json()
    assert paying["stage"] == "paying"

    fake.payment_status = "succeeded"
    fake.class_status = "pending_payment"
    assert (await learner.get(progress_url)).json()["stage"] == "opening"

    fake.class_status = "learning"
    opened = (await learner.get(progress_url)).json()
    assert opened == {"stage": "opened", "url": f"/learner/classes/{CLASS_ID}"}


async def test_player_resumes_and_links_video(learner: httpx.AsyncClient) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}/courses/{COURSE_ID}")
    assert 'data-start-at="12.5"' in page.text
    assert f"/learner/media/chapters/{CHAPTER_ID}/video" in page.text
    assert "章节目录" in page.text


async def test_heartbeat_forwarded_with_csrf_header(learner: httpx.AsyncClient,
                                                    fake: FakeState) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}/courses/{COURSE_ID}")
    beat = {"class_id": CLASS_ID, "course_id": COURSE_ID, "chapter_id": CHAPTER_ID,
            "position_seconds": 20.0, "session_id": "s-1", "extra": "dropped"}
    response = await learner.post("/learner/api/heartbeats", json=beat,
                                  headers={"X-CSRF-Token": csrf_of(page.text)})
    assert response.status_code == 200
    assert response.json()["chapter_progress_percent"] == 80
    forwarded = fake.called("POST", "/api/learning/heartbeats")[0]
    assert "extra" not in forwarded
    assert forwarded["position_seconds"] == 20.0


async def test_heartbeat_without_csrf_rejected(learner: httpx.AsyncClient, fake: FakeState) -> None:
    response = await learner.post("/learner/api/heartbeats", json={"class_id": CLASS_ID})
    assert response.status_code == 403
    assert "刷新页面" in response.json()["error"]["message"]
    assert fake.called("POST", "/api/learning/heartbeats") == []


async def test_heartbeat_refusal_passed_to_player(learner: httpx.AsyncClient,
                                                  fake: FakeState) -> None:
    fake.fail("POST", "/api/learning/heartbeats", 409, "playback_taken_over",
              "您已在其他窗口或设备上播放课程，本窗口已停止计时。")
    page = await learner.get(f"/learner/classes/{CLASS_ID}/courses/{COURSE_ID}")
    response = await learner.post("/learner/api/heartbeats", json={"class_id": CLASS_ID},
                                  headers={"X-CSRF-Token": csrf_of(page.text)})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "playback_taken_over"


async def test_video_range_passed_through(learner: httpx.AsyncClient) -> None:
    response = await learner.get(f"/learner/media/chapters/{CHAPTER_ID}/video",
                                 headers={"Range": "bytes=0-3"})
    assert response.status_code == 206
    assert response.headers["content-range"] == "bytes 0-3/10"
    assert response.content == b"0123"


async def test_hand_in_collects_answers(learner: httpx.AsyncClient, fake: FakeState) -> None:
    page = await learner.get(f"/learner/classes/{CLASS_ID}")
    response = await learner.post(
        f"/learner/classes/{CLASS_ID}/attempts/{ATTEMPT_ID}/hand-in",
        content=(f"csrf_token={csrf_of(page.text)}&answer%3Aq-1=A"
                 "&answer%3Aq-2=D&answer%3Aq-2=B").encode(),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.headers["location"] == f"/learner/classes/{CLASS_ID}/attempts/{ATTEMPT_ID}"
    sent = fake.called("POST", f"/api/assessment/attempts/{ATTEMPT_ID}/hand-in")[0]
    assert sent == {"answers": {"q-1": ["A"], "q-2": ["B", "D"]}}


async def test_info_centre_lists_manuals(learner: httpx.AsyncClient) -> None:
    page = await learner.get("/learner/info?category=manual")
    assert "学员操作手册" in page.text


async def test_profile_masks_id_number(learner: httpx.AsyncClient) -> None:
    page = await learner.get("/learner/profile")
    assert "320***********0014" in page.text
    assert "联系属地工考办" in page.text


async def test_verify_page_states(portal: httpx.AsyncClient) -> None:
    valid = await portal.get("/verify/abc")
    assert "证书有效" in valid.text
    revoked = await portal.get("/verify/revoked")
    assert "已于 2026-12-05 撤销" in revoked.text
    unknown = await portal.get("/verify/unknown")
    assert unknown.status_code == 404
    assert "查验码不存在" in unknown.text
