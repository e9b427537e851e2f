"""Translation of identity errors into HTTP statuses and Chinese messages."""

import logging

from eventplatform.web import UserMessage, error_body, install_error_handlers
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from identity_service.accounts import CaptchaInvalid, LoginFailed, RecoveryNotMatched
from identity_service.application import ImportRaced
from identity_service.domain.errors import (
    AccountNotFound,
    AlreadyActivated,
    AlreadyOnRoster,
    InvalidInput,
    NoBoundPhone,
    NotOnRoster,
    OfficeForbidden,
    PersonLeft,
    RosterEntryNotFound,
    UnknownOffice,
    UsernameTaken,
    WrongPassword,
)
from identity_service.domain.regions import OfficeCard, offices_for_id_prefix
from identity_service.messages import reason_text
from identity_service.readmodels import OfficeRow
from identity_service.roster_import import RosterFileUnreadable
from identity_service.security.throttle import LoginLocked, LoginThrottled, RetryLater
from identity_service.sms import SmsCodeInvalid, SmsDeliveryFailed, SmsRateLimited

logger = logging.getLogger(__name__)

MESSAGES = {
    CaptchaInvalid: UserMessage(400, "图形验证码错误或已失效，请刷新验证码后重新输入。", "captcha_invalid"),
    LoginFailed: UserMessage(401, "身份证号（用户名）或密码错误，请核对后重试。", "login_failed"),
    AlreadyActivated: UserMessage(409, "该身份证号已激活账户，请直接登录；忘记密码请使用“找回密码”。",
                                  "already_activated"),
    AlreadyOnRoster: UserMessage(409, "该身份证号已在花名册中，请查询后使用“更正”修改信息。",
                                 "already_on_roster"),
    PersonLeft: UserMessage(409, "该人员已标记为离岗，不能再修改或登录；如有误请联系工考办。", "person_left"),
    OfficeForbidden: UserMessage(403, "您只能管理本工考办花名册中的人员。", "office_forbidden"),
    UnknownOffice: UserMessage(404, "找不到该工考办，请从列表中选择。", "unknown_office"),
    RosterEntryNotFound: UserMessage(404, "找不到该花名册记录，请刷新列表后重试。", "roster_entry_not_found"),
    AccountNotFound: UserMessage(404, "找不到该账户，请核对身份证号。", "account_not_found"),
    UsernameTaken: UserMessage(409, "该用户名已被使用，请换一个用户名。", "username_taken"),
    WrongPassword: UserMessage(400, "当前密码不正确，请重新输入。", "wrong_password"),
    RecoveryNotMatched: UserMessage(
        404, "姓名与身份证号不匹配，或该身份证号尚未激活账户。请核对后重试，或联系属地工考办。",
        "recovery_not_matched"),
    SmsCodeInvalid: UserMessage(400, "短信验证码错误、已使用或已过期，请重新获取验证码。", "sms_code_invalid"),
    SmsDeliveryFailed: UserMessage(502, "短信发送失败，请稍后重试。", "sms_delivery_failed"),
    ImportRaced: UserMessage(409, "导入时花名册正被同时修改，本次未导入任何数据，请重新导入该文件。",
                             "import_conflict"),
}


def install_identity_errors(api: FastAPI) -> None:
    install_error_handlers(api, MESSAGES)
    api.add_exception_handler(InvalidInput, _invalid_input)
    api.add_exception_handler(RosterFileUnreadable, _unreadable_file)
    api.add_exception_handler(RetryLater, _retry_later)
    api.add_exception_handler(NotOnRoster, _not_on_roster)
    api.add_exception_handler(NoBoundPhone, _no_bound_phone)


async def _invalid_input(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidInput)
    logger.info("%s %s invalid input: %s", request.method, request.url.path, error.reason)
    code = "weak_password" if error.reason.startswith("password_") else "invalid_input"
    return JSONResponse(error_body(code, reason_text(error.reason)) | {"reason": error.reason},
                        status_code=422)


async def _unreadable_file(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RosterFileUnreadable)
    logger.info("%s %s unreadable roster file", request.method, request.url.path)
    return JSONResponse(error_body("file_unreadable", error.message), status_code=400)


async def _retry_later(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RetryLater)
    wait = error.retry_after_seconds
    wait_text = f"{wait}秒" if wait < 120 else f"{(wait + 59) // 60}分钟"
    if isinstance(error, LoginLocked):
        status, code = 423, "account_locked"
        message = f"登录失败次数过多，该账户已临时锁定，请{wait_text}后再试，或使用“找回密码”。"
    elif isinstance(error, LoginThrottled):
        status, code = 429, "login_throttled"
        message = f"登录失败次数较多，请{wait_text}后再试。"
    elif isinstance(error, SmsRateLimited):
        status, code = 429, "sms_rate_limited"
        message = f"验证码发送过于频繁，请{wait_text}后再获取。"
    else:
        status, code, message = 429, "retry_later", f"操作过于频繁，请{wait_text}后再试。"
    logger.info("%s %s asked to wait %ss (%s)", request.method, request.url.path, wait, code)
    body = error_body(code, message) | {"retry_after_seconds": wait}
    return JSONResponse(body, status_code=status, headers={"Retry-After": str(wait)})


async def _not_on_roster(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotOnRoster)
    services = request.app.state.services
    with services.database.sessions() as session:
        rows = session.execute(select(OfficeRow).order_by(OfficeRow.city_code, OfficeRow.office_id))
        offices = [_card(row) for row in rows.scalars()]
    matches = offices_for_id_prefix(offices, error.region_prefix)
    listed_offices = matches or offices
    if len(matches) == 1:
        office = matches[0]
        message = (f"未在花名册中找到您的信息（姓名与身份证号需与花名册一致）。请联系属地工考部门"
                   f"“{office.city_name}{office.name}”：地址 {office.address}，电话 {office.phone}，"
                   f"联系人 {office.contact_person}。")
    else:
        message = ("未在花名册中找到您的信息（姓名与身份证号需与花名册一致）。"
                   "请联系您所在地区的工考部门新增或核对人员信息，联系方式见下方列表。")
    logger.info("%s %s: not on roster, %d offices suggested", request.method, request.url.path,
                len(listed_offices))
    body = error_body("not_on_roster", message) | {"offices": [office_json(o) for o in listed_offices]}
    status = 403 if request.url.path.endswith("/login") else 404
    return JSONResponse(body, status_code=status)


async def _no_bound_phone(request: Request, error: Exception) -> JSONResponse:
    hotline = request.app.state.services.settings.support_hotline
    logger.info("%s %s: no bound phone", request.method, request.url.path)
    message = f"您的账户未绑定手机号，无法通过短信找回密码。请拨打客服热线 {hotline}，或联系属地工考办。"
    return JSONResponse(error_body("no_bound_phone", message) | {"hotline": hotline}, status_code=409)


def _card(row: OfficeRow) -> OfficeCard:
    return OfficeCard(office_id=row.office_id, city_code=row.city_code, city_name=row.city_name,
                      name=row.name, address=row.address, phone=row.phone,
                      contact_person=row.contact_person, id_prefixes=tuple(row.id_prefixes))


def office_json(office: OfficeCard | OfficeRow) -> dict[str, str]:
    return {"office_id": office.office_id, "city_code": office.city_code,
            "city_name": office.city_name, "name": office.name, "address": office.address,
            "phone": office.phone, "contact_person": office.contact_person}
