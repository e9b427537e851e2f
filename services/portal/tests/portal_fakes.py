"""A fake of the downstream services: one small FastAPI app that records every call.

Paths and shapes follow the services' API.md files and code. Each test adjusts
the state, or installs an error for one path, to drive the page it checks.
"""

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

LEARNER_TOKEN = "token-learner"
ADMIN_TOKEN = "token-admin"
OPERATOR_TOKEN = "token-operator"
CLASS_ID = "11111111-1111-1111-1111-111111111111"
ORDER_ID = "22222222-2222-2222-2222-222222222222"
COURSE_ID = "33333333-3333-3333-3333-333333333333"
CHAPTER_ID = "44444444-4444-4444-4444-444444444444"
ATTEMPT_ID = "55555555-5555-5555-5555-555555555555"
PAYMENT_ID = "66666666-6666-6666-6666-666666666666"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


@dataclass
class FakeState:
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    errors: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    captcha_answer: str = "AB3D"
    payment_status: str = "pending"
    class_status: str = "learning"
    video_file: Path | None = None
    handed_in: bool = False

    def fail(self, method: str, path: str, status: int, code: str, message: str,
             **extra: Any) -> None:
        self.errors[(method, path)] = (status, {"error": {"code": code, "message": message}, **extra})

    def called(self, method: str, path: str) -> list[Any]:
        return [body for m, p, body in self.calls if m == method and p == path]


def class_view(status: str = "learning") -> dict[str, Any]:
    return {
        "class_id": CLASS_ID, "training_year": 2099, "class_name": "演示年度工勤人员继续教育",
        "is_make_up": False, "status": status, "status_label": "学习中", "grade": "senior",
        "grade_label": "高级工", "requirement": {"political": 7, "general": 7, "job_skills": 10, "total": 24},
        "learning_window": {"starts_on": "2026-11-04", "ends_on": "2027-04-03"},
        "opened_at": "2026-12-01T02:00:00+00:00", "qualified_at": None, "certificate_id": None,
        "categories": [
            {"category": "political", "label": "思政", "required_hours": 7, "confirmed_hours": 0,
             "draft_hours": 2, "selected_hours": 2, "needed_hours": 5},
            {"category": "general", "label": "通识", "required_hours": 7, "confirmed_hours": 7,
             "draft_hours": 0, "selected_hours": 7, "needed_hours": 0},
            {"category": "job_skills", "label": "岗位技能提升", "required_hours": 10,
             "confirmed_hours": 10, "draft_hours": 0, "selected_hours": 10, "needed_hours": 0},
        ],
        "courses": [{"course_id": COURSE_ID, "title": "新时代思政课", "category": "political",
                     "credit_hours": 2, "provider_name": "苏学堂", "state": "draft",
                     "added_at": "2026-12-01T02:00:00+00:00", "confirmed_at": None}],
    }


def build_fake(state: FakeState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        body: Any = None
        raw = await request.body()
        if raw and request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(raw)
        elif raw:
            body = raw
        state.calls.append((request.method, request.url.path, body))
        state.queries.append(request.url.query)
        error = state.errors.get((request.method, request.url.path))
        if error is not None:
            return JSONResponse(error[1], status_code=error[0])
        return await call_next(request)

    install_identity(app, state)
    install_learner_services(app, state)
    install_admin_services(app, state)
    return app


def install_identity(app: FastAPI, state: FakeState) -> None:
    @app.post("/api/captcha")
    async def captcha() -> dict[str, Any]:
        return {"captcha_id": f"c-{len(state.calls)}", "image": f"data:image/png;base64,{PNG}",
                "expires_in": 300}

    @app.post("/api/login")
    async def login(request: Request) -> Response:
        body = await request.json()
        if body["captcha_answer"].upper() != state.captcha_answer:
            return JSONResponse({"error": {"code": "captcha_invalid",
                                           "message": "验证码不正确，请重新输入。"}}, 400)
        token = {"320602198503150014": LEARNER_TOKEN, "320602198001010011": ADMIN_TOKEN}.get(
            body["login_name"], OPERATOR_TOKEN)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 7200,
                             "role": "learner", "must_change_password": False})

    @app.get("/api/me")
    async def me(request: Request) -> dict[str, Any]:
        token = request.headers["authorization"].removeprefix("Bearer ")
        office = {"office_id": "nantong-haimen", "city_name": "南通市", "name": "海门区"}
        if token == LEARNER_TOKEN:
            return {"role": "learner", "learner_id": "l-1", "office": office, "name": "陈建国",
                    "masked_id_number": "320***********0014", "gender": "male",
                    "masked_mobile": "139****0001", "grade": "technician", "grade_label": "技师"}
        if token == ADMIN_TOKEN:
            return {"role": "regional_admin", "office_id": "nantong-haimen", "username": "nt-haimen"}
        return {"role": "province_operator", "office_id": None, "username": "operator"}

    @app.get("/api/offices")
    async def offices() -> dict[str, Any]:
        return {"offices": [
            {"office_id": "nantong-haimen", "city_name": "南通市", "name": "海门区"},
            {"office_id": "nantong-tongzhou", "city_name": "南通市", "name": "通州区"},
            {"office_id": "nantong-city", "city_name": "南通市",
             "name": "南通市本级（含崇川、开发区、苏锡通）"}]}

    @app.get("/api/roster")
    async def roster(office_id: str = "") -> dict[str, Any]:
        return {"total": 1, "items": [{"entry_id": "e-1", "office_id": office_id, "name": "张三",
                                       "id_number": "320684199001011234", "employing_unit": "海门某单位",
                                       "grade": "senior", "status": "active", "has_account": False}]}

    @app.post("/api/roster/import")
    async def import_roster() -> dict[str, Any]:
        return {"file_name": "roster.csv", "total_rows": 3, "imported": 1, "unchanged": 1,
                "rejected": [{"row": 4, "id_number": "320***********123X",
                              "reason": "身份证号校验位不正确"}],
                "warnings": [{"row": 3, "message": "统一社会信用代码校验位不正确，请核对"}]}


def install_learner_services(app: FastAPI, state: FakeState) -> None:
    @app.get("/api/enrollment/classes")
    async def classes() -> dict[str, Any]:
        return {"classes": [class_view(state.class_status)]}

    @app.get("/api/enrollment/classes/{class_id}")
    async def one_class(class_id: str) -> dict[str, Any]:
        return class_view(state.class_status)

    @app.get("/api/enrollment/classes/{class_id}/catalog")
    async def catalog(class_id: str, category: str) -> dict[str, Any]:
        return {"category": category, "label": "思政", "providers": [{
            "provider_id": "sxt", "provider_name": "苏学堂", "courses": [
                {"course_id": COURSE_ID, "code": "SZ-1", "title": "新时代思政课", "credit_hours": 2,
                 "chapter_count": 2, "total_duration_seconds": 40, "selected": None}]}]}

    @app.post("/api/enrollment/classes/{class_id}/selection/confirm")
    async def confirm(class_id: str) -> dict[str, Any]:
        return class_view()

    @app.post("/api/enrollment/classes/{class_id}/selection")
    async def select(class_id: str) -> dict[str, Any]:
        return class_view()

    @app.get("/api/enrollment/years")
    async def years() -> dict[str, Any]:
        return {"today": "2026-12-04", "invoice_defaults": {"invoice_title": "海门某单位",
                                                            "invoice_credit_code": "12320684MB0000000X"},
                "years": [{"training_year": 2099, "is_make_up": False, "fee_fen": 20000,
                           "class_name": "演示年度工勤人员继续教育", "payable_until": "2027-02-02",
                           "learning_window": {"starts_on": "2026-11-04", "ends_on": "2027-04-03"},
                           "class_status": None}]}

    @app.get("/api/enrollment/orders")
    async def orders() -> dict[str, Any]:
        return {"orders": []}

    @app.post("/api/enrollment/orders")
    async def place_order() -> Response:
        return JSONResponse({"order_id": ORDER_ID, "status": "pending"}, 201)

    @app.get("/api/enrollment/orders/{order_id}")
    async def order(order_id: str) -> dict[str, Any]:
        paid = state.payment_status == "succeeded"
        return {"order_id": ORDER_ID, "class_id": CLASS_ID, "order_number": "GQ1",
                "status": "paid" if paid else "pending", "status_label": "待支付",
                "amount_fen": 20000, "class_name": "演示年度"}

    @app.get("/api/payments/channels")
    async def channels() -> dict[str, Any]:
        return {"channels": [{"code": "unionpay", "label": "银联在线支付"}]}

    @app.post("/api/payments/orders/{order_id}")
    async def pay(order_id: str) -> Response:
        return JSONResponse({"payment_id": PAYMENT_ID, "order_id": order_id, "status": "pending",
                             "pay_url": f"http://127.0.0.1:8009/pay/{PAYMENT_ID}"}, 201)

    @app.get("/api/payments/{payment_id}")
    async def payment(payment_id: str) -> dict[str, Any]:
        return {"payment_id": payment_id, "status": state.payment_status, "status_label": "处理中"}

    @app.get("/api/learning/classes/{class_id}/courses")
    async def learning_courses(class_id: str) -> dict[str, Any]:
        return {"class_id": class_id, "courses": [{
            "course_id": COURSE_ID, "title": "新时代思政课", "category": "political",
            "category_label": "思政", "credit_hours": 2, "provider_name": "苏学堂",
            "progress_percent": 100, "completed": True}]}

    @app.get("/api/learning/classes/{class_id}/courses/{course_id}")
    async def learning_course(class_id: str, course_id: str) -> dict[str, Any]:
        return {"course_id": course_id, "title": "新时代思政课", "credit_hours": 2,
                "progress_percent": 50, "completed": False,
                "resume": {"chapter_id": CHAPTER_ID, "position_seconds": 12.5},
                "chapters": [{"chapter_id": CHAPTER_ID, "number": 1, "title": "第一讲",
                              "duration_seconds": 20, "watched_seconds": 12,
                              "progress_percent": 60, "completed": False, "position_seconds": 12.5}]}

    @app.post("/api/learning/heartbeats")
    async def heartbeat() -> dict[str, Any]:
        return {"counted_seconds": 10.0, "chapter_progress_percent": 80, "chapter_completed": False,
                "course_progress_percent": 80, "course_completed": False}

    @app.get("/api/learning/chapters/{chapter_id}/video")
    async def video(chapter_id: str, request: Request) -> Response:
        if state.video_file is not None:
            return FileResponse(state.video_file, media_type="video/mp4")
        if request.headers.get("range"):
            return Response(b"0123", status_code=206, media_type="video/mp4",
                            headers={"Content-Range": "bytes 0-3/10", "Accept-Ranges": "bytes"})
        return Response(b"0123456789", media_type="video/mp4")

    @app.get("/api/assessment/courses/{course_id}/test")
    async def course_test_status(course_id: str) -> dict[str, Any]:
        return {"course_id": course_id, "unlocked": True, "passed": False, "best_score": None,
                "open_attempt_id": None, "questions_per_attempt": 2, "attempts": []}

    @app.post("/api/assessment/attempts/{attempt_id}/hand-in")
    async def hand_in(attempt_id: str) -> dict[str, Any]:
        state.handed_in = True
        return attempt(attempt_id)

    @app.get("/api/assessment/attempts/{attempt_id}")
    async def get_attempt(attempt_id: str) -> dict[str, Any]:
        return attempt(attempt_id)

    def attempt(attempt_id: str) -> dict[str, Any]:
        questions = [
            {"position": 1, "question_id": "q-1", "kind": "single_choice", "stem": "合格分是多少？",
             "options": [{"key": "A", "text": "50"}, {"key": "B", "text": "60"}]},
            {"position": 2, "question_id": "q-2", "kind": "multiple_choice", "stem": "哪些是课程类别？",
             "options": [{"key": "A", "text": "思政"}, {"key": "B", "text": "通识"},
                         {"key": "C", "text": "体育"}]},
        ]
        if not state.handed_in:
            return {"attempt_id": attempt_id, "course_id": COURSE_ID, "status": "open",
                    "questions": questions}
        answers = {"q-1": (["A"], ["B"], "合格分为60分。"), "q-2": (["A", "B"], ["A", "B"], "")}
        for question in questions:
            yours, right, explanation = answers[question["question_id"]]
            question.update(your_answer=yours, correct_answer=right, is_correct=yours == right,
                            explanation=explanation)
        return {"attempt_id": attempt_id, "course_id": COURSE_ID, "status": "handed_in",
                "score": 50, "passed": False, "pass_mark": 60, "course_passed": False,
                "questions": questions}

    @app.get("/api/credential/verify/{code}")
    async def verify(code: str) -> Response:
        if code == "unknown":
            return JSONResponse({"error": {"code": "not_found",
                                           "message": "查验码不存在，请核对后重新输入。"}}, 404)
        return JSONResponse({"status": "revoked" if code == "revoked" else "valid",
                             "certificate_number": "GQJY2099-000001", "learner_name": "陈*",
                             "masked_id_number": "320***********0014", "employing_unit": "海门某单位",
                             "training_year": 2099, "issued_on": "2026-12-04",
                             "hours": {"political": 7, "general": 7, "job_skills": 10},
                             "revoked_on": "2026-12-05" if code == "revoked" else None,
                             "revocation_reason": "信息有误" if code == "revoked" else None})


def install_admin_services(app: FastAPI, state: FakeState) -> None:
    @app.get("/api/enrollment/calendar")
    async def calendar() -> dict[str, Any]:
        # 2099 plays the demo year: its learning window has started. 2100 starts later.
        return {"years": [
            {"training_year": 2026, "learning_window": {"starts_on": "2026-05-06",
                                                        "ends_on": "2026-12-15"}},
            {"training_year": 2100, "learning_window": {"starts_on": "2100-05-06",
                                                        "ends_on": "2100-12-15"}},
            {"training_year": 2099, "learning_window": {"starts_on": "2020-01-01",
                                                        "ends_on": "2100-01-01"}}]}

    @app.get("/api/enrollment/reports/completion")
    async def report(training_year: int = 2099, office_id: str = "") -> dict[str, Any]:
        rows = [
            {"employing_unit": "海门某单位", "credit_code": "12320684MB0000000X", "registered": 10,
             "enrolled": 8, "paid": 7, "hours": 120, "qualified": 3},
            {"employing_unit": "海门另一单位", "credit_code": "12320684MB0000001X", "registered": 4,
             "enrolled": 2, "paid": 2, "hours": 30, "qualified": 1},
        ]
        totals = {key: sum(row[key] for row in rows)
                  for key in ("registered", "enrolled", "paid", "hours", "qualified")}
        return {"training_year": training_year, "office_id": office_id or None, "rows": rows,
                "totals": totals}
