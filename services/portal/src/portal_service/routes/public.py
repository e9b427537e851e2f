"""Pages without login: home and login box, captcha, password recovery, activation,
certificate verification."""

import base64
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from portal_service.clients import ServiceError
from portal_service.pages import (
    ADMIN_ROLES,
    LEARNER,
    AnyUserSession,
    LearnerSession,
    portal_of,
    recall_form,
    redirect,
    remember_form,
    render,
    safe_next,
)
from portal_service.sessions import Session, session_of

logger = logging.getLogger(__name__)

router = APIRouter()

Text = Annotated[str, Form()]

# Identity's message tells the user to refresh the captcha, but the login page
# shown after the error already carries a new image.
CAPTCHA_RETRY_MESSAGE = "验证码不正确或已过期，请输入图中新的验证码。"


@router.get("/")
async def home(request: Request, next: str = "") -> Response:
    session = session_of(request)
    if session.logged_in and not next:
        return redirect(landing_page(session))
    articles = portal_of(request).infocentre.list_articles("announcement")[:5]
    return render(request, "home.html", next=safe_next(next, ""), articles=articles,
                  form=recall_form(session, "login"))


@router.get("/captcha")
async def captcha(request: Request) -> Response:
    """Fetch a new captcha from identity and return its image; its id stays in the session."""
    session = session_of(request)
    body = await portal_of(request).downstream.call("identity", "POST", "/api/captcha")
    session.data["captcha_id"] = body["captcha_id"]
    session.changed = True
    header, _, encoded = str(body["image"]).partition(",")
    media_type = header.removeprefix("data:").split(";")[0] or "image/png"
    return Response(base64.b64decode(encoded), media_type=media_type,
                    headers={"Cache-Control": "no-store"})


@router.post("/login")
async def login(
    request: Request,
    id_number: Text,
    password: Text,
    captcha_answer: Text,
    next: Annotated[str, Form()] = "",
) -> Response:
    portal = portal_of(request)
    session = session_of(request)
    captcha_id = session.data.pop("captcha_id", None)
    typed = {"id_number": id_number.strip()}
    if not captcha_id:
        remember_form(session, "login", typed)
        session.flash("验证码已失效，请点击“换一张”后重新输入。")
        return redirect("/")
    payload = {
        "login_name": login_name_of(id_number),
        "password": password,
        "captcha_id": captcha_id,
        "captcha_answer": captcha_answer.strip(),
    }
    try:
        tokens = await portal.downstream.call("identity", "POST", "/api/login", json=payload)
    except ServiceError as error:
        if error.code == "not_on_roster":
            return render(request, "home.html", status_code=403, next="", articles=[],
                          login_error=error.message, offices=offices_of(error), form=typed)
        remember_form(session, "login", typed)
        if error.code == "captcha_invalid":
            error.message = CAPTCHA_RETRY_MESSAGE
        raise
    await start_session(request, session, tokens)
    if tokens.get("must_change_password"):
        session.flash("首次登录或密码已重置，请先修改密码。", "info")
        return redirect("/account/password")
    return redirect(safe_next(next, landing_page(session)))


async def start_session(request: Request, session: Session, tokens: dict[str, Any]) -> None:
    """Keep the access token and the few profile fields every page header shows."""
    token = tokens["access_token"]
    me = await portal_of(request).downstream.call("identity", "GET", "/api/me", token)
    office = me.get("office") or {}
    user = {
        "role": me.get("role") or tokens.get("role"),
        "name": me.get("name") or me.get("username") or "",
        "learner_id": me.get("learner_id"),
        "office_id": me.get("office_id") or office.get("office_id"),
    }
    session.log_in(token, user)
    logger.info("login of role %s succeeded", user["role"])


def login_name_of(typed: str) -> str:
    """ID numbers are sent upper-case (a trailing x); admin user names as typed."""
    typed = typed.strip()
    return typed.upper() if typed[:1].isdigit() else typed


def landing_page(session: Session) -> str:
    if session.role in ADMIN_ROLES:
        return "/admin"
    return "/entry"


def offices_of(error: ServiceError) -> list[dict[str, Any]]:
    body = error.body if isinstance(error.body, dict) else {}
    offices = body.get("offices") or (body.get("error") or {}).get("offices") or []
    return offices if isinstance(offices, list) else []


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = session_of(request)
    session.log_out()
    session.flash("您已安全退出。", "success")
    return redirect("/")


@router.get("/entry")
async def entry(request: Request, session: Session = LearnerSession) -> Response:
    """After login: go to the learner centre or straight to enrollment."""
    return render(request, "entry.html")


# --- password recovery ----------------------------------------------------


@router.get("/password/forgot")
async def forgot_password(request: Request) -> Response:
    step = session_of(request).data.get("recovery") and "code" or "identify"
    return render(request, "forgot.html", step=step,
                  masked_mobile=session_of(request).data.get("recovery", {}).get("masked_mobile"))


@router.post("/password/forgot")
async def send_recovery_code(request: Request, name: Text, id_number: Text) -> Response:
    session = session_of(request)
    id_number = id_number.strip().upper()
    try:
        sent = await portal_of(request).downstream.call(
            "identity", "POST", "/api/password-recovery/sms",
            json={"name": name.strip(), "id_number": id_number},
        )
    except ServiceError as error:
        if error.code == "no_bound_phone":
            hotline = portal_of(request).settings.support_hotline
            session.flash(f"{error.message}（客服电话：{hotline}）")
            return redirect("/password/forgot")
        raise
    session.data["recovery"] = {"id_number": id_number, "masked_mobile": sent.get("masked_mobile")}
    session.flash(f"验证码已发送至手机 {sent.get('masked_mobile', '')}，5 分钟内有效。", "success")
    return redirect("/password/forgot")


@router.post("/password/reset")
async def reset_password(
    request: Request, sms_code: Text, new_password: Text, confirm_password: Text
) -> Response:
    session = session_of(request)
    recovery = session.data.get("recovery")
    if not recovery:
        session.flash("请先输入姓名和身份证号获取验证码。")
        return redirect("/password/forgot")
    if new_password != confirm_password:
        session.flash("两次输入的新密码不一致，请重新输入。")
        return redirect("/password/forgot")
    await portal_of(request).downstream.call(
        "identity", "POST", "/api/password-recovery/reset",
        json={"id_number": recovery["id_number"], "sms_code": sms_code.strip(),
              "new_password": new_password},
    )
    session.data.pop("recovery", None)
    session.flash("密码已重置，请使用新密码登录。", "success")
    return redirect("/")


@router.post("/password/forgot/restart")
async def restart_recovery(request: Request) -> Response:
    session_of(request).data.pop("recovery", None)
    session_of(request).changed = True
    return redirect("/password/forgot")


# --- account activation ---------------------------------------------------


@router.get("/activate")
async def activation(request: Request) -> Response:
    session = session_of(request)
    pending = session.data.get("activation")
    return render(request, "activate.html", pending=pending, form=recall_form(session, "activation"))


@router.post("/activate/sms")
async def send_activation_code(request: Request, name: Text, id_number: Text, mobile: Text) -> Response:
    session = session_of(request)
    person = {"name": name.strip(), "id_number": id_number.strip().upper(), "mobile": mobile.strip()}
    try:
        sent = await portal_of(request).downstream.call(
            "identity", "POST", "/api/activation/sms", json=person
        )
    except ServiceError as error:
        if error.code == "not_on_roster":
            return render(request, "activate.html", status_code=404, pending=None,
                          activation_error=error.message, offices=offices_of(error), form=person)
        remember_form(session, "activation", person)
        raise
    session.data["activation"] = {**person, "masked_mobile": sent.get("masked_mobile")}
    session.flash(f"验证码已发送至手机 {sent.get('masked_mobile', '')}，5 分钟内有效。", "success")
    return redirect("/activate")


@router.post("/activate")
async def activate(request: Request, sms_code: Text, password: Text, confirm_password: Text) -> Response:
    session = session_of(request)
    pending = session.data.get("activation")
    if not pending:
        session.flash("请先填写姓名、身份证号和手机号获取验证码。")
        return redirect("/activate")
    if password != confirm_password:
        session.flash("两次输入的密码不一致，请重新输入。")
        return redirect("/activate")
    person = {key: pending[key] for key in ("name", "id_number", "mobile")}
    await portal_of(request).downstream.call(
        "identity", "POST", "/api/activation",
        json={**person, "sms_code": sms_code.strip(), "password": password},
    )
    session.data.pop("activation", None)
    session.flash("账号已激活，请使用身份证号和新密码登录。", "success")
    return redirect("/")


@router.post("/activate/restart")
async def restart_activation(request: Request) -> Response:
    session_of(request).data.pop("activation", None)
    session_of(request).changed = True
    return redirect("/activate")


# --- account (any role) ---------------------------------------------------


@router.get("/account/password")
async def password_page(request: Request, session: Session = AnyUserSession) -> Response:
    return render(request, "password.html")


@router.post("/account/password")
async def change_password(
    request: Request,
    current_password: Text,
    new_password: Text,
    confirm_password: Text,
    session: Session = AnyUserSession,
) -> Response:
    if new_password != confirm_password:
        session.flash("两次输入的新密码不一致，请重新输入。")
        return redirect("/account/password")
    tokens = await portal_of(request).downstream.call(
        "identity", "POST", "/api/me/password", session.token,
        json={"current_password": current_password, "new_password": new_password},
    )
    if tokens and tokens.get("access_token"):
        await start_session(request, session, tokens)
    session.flash("密码已修改，下次登录请使用新密码。", "success")
    return redirect("/learner/profile" if session.role == LEARNER else "/admin")


# --- public certificate verification --------------------------------------


@router.get("/verify")
async def verify_form(request: Request, code: str = "") -> Response:
    if code.strip():
        return redirect(f"/verify/{code.strip()}")
    return render(request, "verify.html", result=None, code="")


@router.get("/verify/{code}")
async def verify_certificate(request: Request, code: str) -> Response:
    try:
        result = await portal_of(request).downstream.call(
            "credential", "GET", f"/api/credential/verify/{code}"
        )
    except ServiceError as error:
        if error.status == 404:
            return render(request, "verify.html", status_code=404, result=None, code=code,
                          not_found=error.message)
        raise
    return render(request, "verify.html", result=result, code=code)
