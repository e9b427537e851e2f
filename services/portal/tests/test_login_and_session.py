"""Login box, captcha, CSRF protection, session expiry and role guards."""

import time

import httpx

from portal_service.sessions import Session, SessionCodec

from portal_testkit import csrf_of
from portal_fakes import FakeState


async def test_home_shows_login_box(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/")
    assert page.status_code == 200
    for text in ("身份证号", "密码", "验证码", "换一张", "忘记密码", "账号激活"):
        assert text in page.text


async def test_captcha_image_is_proxied(portal: httpx.AsyncClient) -> None:
    image = await portal.get("/captcha")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


async def test_wrong_captcha_asks_for_new_one(portal: httpx.AsyncClient,
                                               fake: FakeState) -> None:
    home = await portal.get("/")
    await portal.get("/captcha")
    response = await portal.post("/login", data={
        "id_number": "320602198503150014", "password": "Secret#2026", "captcha_answer": "ZZZZ",
        "csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    page = await portal.get("/")
    assert "请输入图中新的验证码" in page.text
    assert "验证码不正确，请重新输入。" not in page.text
    assert 'value="320602198503150014"' in page.text
    assert "Secret#2026" not in page.text
    sent = fake.called("POST", "/api/login")[0]
    assert sent["captcha_id"].startswith("c-")


async def test_login_without_captcha_fetch_rejected(portal: httpx.AsyncClient,
                                                    fake: FakeState) -> None:
    home = await portal.get("/")
    response = await portal.post("/login", data={
        "id_number": "320602198503150014", "password": "x", "captcha_answer": "AB3D",
        "csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    assert fake.called("POST", "/api/login") == []
    assert "验证码已失效" in (await portal.get("/")).text


async def test_learner_login_offers_centre_or_enrollment(learner: httpx.AsyncClient) -> None:
    page = await learner.get("/entry")
    assert "进入学员中心" in page.text
    assert "去报名" in page.text
    assert "陈建国" in page.text


async def test_login_of_person_not_on_roster_shows_offices(portal: httpx.AsyncClient,
                                                          fake: FakeState) -> None:
    fake.fail("POST", "/api/login", 403, "not_on_roster", "您不在花名册中，请联系属地工考办。",
              offices=[{"office_id": "nantong-haimen", "city_name": "南通市", "name": "海门区",
                        "address": "北京路1号", "phone": "0513-00000000"}])
    home = await portal.get("/")
    await portal.get("/captcha")
    page = await portal.post("/login", data={
        "id_number": "320602198503150014", "password": "x", "captcha_answer": "AB3D",
        "csrf_token": csrf_of(home.text)})
    assert page.status_code == 403
    assert "请联系属地工考办" in page.text
    assert "北京路1号" in page.text


async def test_post_without_csrf_token_rejected(learner: httpx.AsyncClient,
                                                fake: FakeState) -> None:
    response = await learner.post("/enroll/order", data={
        "training_year": "2099", "invoice_title": "x", "invoice_credit_code": "y",
        "invoice_email": "a@b.cn"})
    assert response.status_code == 303
    assert fake.called("POST", "/api/enrollment/orders") == []
    assert "页面已过期" in (await learner.get("/learner/classes")).text


async def test_every_form_route_checks_csrf(learner: httpx.AsyncClient, fake: FakeState) -> None:
    app = learner._transport.app  # type: ignore[attr-defined]
    posts = [route.path for route in all_routes(app.routes)
             if "POST" in (getattr(route, "methods", None) or set())]
    assert len(posts) > 20
    fake.calls.clear()
    for path in posts:
        concrete = path.replace("{", "").replace("}", "")
        response = await learner.post(concrete, data={"csrf_token": "forged"})
        assert response.status_code in (303, 403), path
    downstream_writes = [call for call in fake.calls if call[0] != "GET"]
    assert downstream_writes == []


def all_routes(routes: list) -> list:  # type: ignore[type-arg]
    """Flatten FastAPI's included routers (kept nested since FastAPI 0.16x)."""
    flat = []
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            flat.extend(route.effective_route_contexts())
        else:
            flat.append(route)
    return flat


async def test_learner_pages_need_login(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/learner/classes")
    assert response.status_code == 303
    assert response.headers["location"] == "/?next=/learner/classes"
    assert "请先登录" in (await portal.get("/?next=/learner/classes")).text


async def test_learner_cannot_open_admin(learner: httpx.AsyncClient) -> None:
    response = await learner.get("/admin/roster")
    assert response.status_code == 303
    assert "无权访问" in (await learner.get("/?next=/admin/roster")).text


async def test_logout_ends_session(learner: httpx.AsyncClient) -> None:
    page = await learner.get("/learner/classes")
    await learner.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert (await learner.get("/learner/classes")).status_code == 303


async def test_tampered_cookie_gives_fresh_session(learner: httpx.AsyncClient) -> None:
    learner.cookies.set("gqjy_portal", "forged-value", domain="portal.test")
    assert (await learner.get("/learner/classes")).status_code == 303


def test_idle_session_expires() -> None:
    codec = SessionCodec("secret", idle_seconds=60, max_seconds=3600)
    session = Session()
    session.log_in("token", {"role": "learner"})
    cookie = codec.encode(session)

    fresh, expired = codec.decode(cookie, time.time() + 30)
    assert fresh.logged_in
    assert not expired

    stale, expired = codec.decode(cookie, time.time() + 120)
    assert not stale.logged_in
    assert expired


def test_session_expires_after_maximum_age() -> None:
    codec = SessionCodec("secret", idle_seconds=600, max_seconds=3600)
    session = Session()
    session.log_in("token", {"role": "learner"})
    session.logged_in_at = time.time() - 7200
    decoded, expired = codec.decode(codec.encode(session), time.time())
    assert expired
    assert decoded.token is None


def test_cookie_hides_access_token() -> None:
    codec = SessionCodec("secret", idle_seconds=600, max_seconds=3600)
    session = Session()
    session.log_in("eyJhbGciOiJFZERTQSJ9.visible-part", {"role": "learner"})
    assert "visible-part" not in codec.encode(session)



async def test_wrong_password_shows_identity_message(portal: httpx.AsyncClient,
                                                     fake: FakeState) -> None:
    fake.fail("POST", "/api/login", 401, "login_failed", "身份证号或密码错误，请重新输入。")
    home = await portal.get("/")
    await portal.get("/captcha")
    response = await portal.post("/login", data={
        "id_number": "320602198503150014", "password": "wrong", "captcha_answer": "AB3D",
        "csrf_token": csrf_of(home.text)})
    assert response.headers["location"] == "/"
    page = await portal.get("/")
    assert "身份证号或密码错误，请重新输入。" in page.text
    assert "登录已失效" not in page.text


async def test_wrong_password_keeps_login_name(portal: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("POST", "/api/login", 401, "login_failed", "身份证号或密码不正确。")
    home = await portal.get("/")
    await portal.get("/captcha")
    await portal.post("/login", data={
        "id_number": " 320602198503150014 ", "password": "Wrong#2026", "captcha_answer": "AB3D",
        "csrf_token": csrf_of(home.text)})
    page = await portal.get("/")
    assert "身份证号或密码不正确。" in page.text
    assert 'value="320602198503150014"' in page.text
    assert "Wrong#2026" not in page.text

    again = await portal.get("/")
    assert 'value="320602198503150014"' not in again.text, "typed values are shown once only"


async def test_office_names_not_doubled(portal: httpx.AsyncClient, fake: FakeState) -> None:
    fake.fail("POST", "/api/login", 403, "not_on_roster", "您不在花名册中，请联系属地工考办。",
              offices=[{"office_id": "nantong-city", "city_name": "南通市",
                        "name": "南通市本级（含崇川、开发区、苏锡通）", "address": "工农路1号",
                        "phone": "0513-1"},
                       {"office_id": "nantong-haimen", "city_name": "南通市", "name": "海门区",
                        "address": "北京路1号", "phone": "0513-2"}])
    home = await portal.get("/")
    await portal.get("/captcha")
    page = await portal.post("/login", data={
        "id_number": "320602198503150014", "password": "x", "captcha_answer": "AB3D",
        "csrf_token": csrf_of(home.text)})
    assert "南通市南通市" not in page.text
    assert "南通市本级（含崇川、开发区、苏锡通）" in page.text
    assert "南通市海门区" in page.text
    assert 'value="320602198503150014"' in page.text
