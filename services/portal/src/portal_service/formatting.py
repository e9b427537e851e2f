"""Jinja filters that show amounts, times and codes the way learners read them."""

import re
from datetime import datetime
from typing import Any

from jinja2 import Environment

from eventplatform.clock import SHANGHAI

CATEGORY_LABELS = {"political": "思政", "general": "通识", "job_skills": "岗位技能提升"}
CATEGORY_ORDER = ("political", "general", "job_skills")
GRADE_LABELS = {
    "ordinary": "普通工",
    "junior": "初级工",
    "intermediate": "中级工",
    "senior": "高级工",
    "technician": "技师",
    "senior_technician": "高级技师",
}
QUESTION_KIND_LABELS = {"single_choice": "单选题", "multiple_choice": "多选题", "true_false": "判断题"}
ROLE_LABELS = {"learner": "学员", "regional_admin": "工考办管理员", "province_operator": "省级运营"}

# Chinese labels of the form fields and query parameters users submit, so an
# error message never shows an internal field name.
FIELD_LABELS = {
    "training_year": "培训年度",
    "year": "培训年度",
    "invoice_title": "发票抬头",
    "invoice_credit_code": "统一社会信用代码",
    "invoice_email": "电子邮箱",
    "id_number": "身份证号",
    "name": "姓名",
    "mobile": "手机号",
    "password": "密码",
    "confirm_password": "确认密码",
    "current_password": "当前密码",
    "new_password": "新密码",
    "captcha_answer": "验证码",
    "sms_code": "短信验证码",
    "channel": "支付方式",
    "employing_unit": "工作单位",
    "credit_code": "统一社会信用代码",
    "grade": "技术等级",
    "office_id": "工考办",
    "page": "页码",
}
# Lookarounds instead of \b: Chinese characters count as word characters, so
# \b finds no boundary in "填写invoice_email".
_FIELD_NAME = re.compile(
    r"(?<![A-Za-z0-9_])(" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True)) + r")(?![A-Za-z0-9_])"
)


def yuan(fen: Any) -> str:
    """Format an amount in fen as yuan with two decimals."""
    if fen is None:
        return "—"
    return f"{int(fen) / 100:.2f} 元"


def local_time(value: Any) -> str:
    """Show an ISO 8601 UTC time as Beijing time, minutes precision."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def duration(seconds: Any) -> str:
    """Show a duration in seconds as 时分秒 text."""
    total = int(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes:02d}分"
    return f"{minutes}分{secs:02d}秒"


def category_label(category: Any) -> str:
    return CATEGORY_LABELS.get(str(category), str(category or "—"))


def grade_label(grade: Any) -> str:
    return GRADE_LABELS.get(str(grade), str(grade or "—"))


def office_label(office: Any) -> str:
    """Name an office with its city, unless the office name already starts with the city."""
    if not isinstance(office, dict):
        return "—"
    city = str(office.get("city_name") or "")
    name = str(office.get("name") or "")
    if not city or name.startswith(city):
        return name or city or "—"
    return city + name


def field_label(field: str) -> str | None:
    """Return the Chinese label of a form field, or None for a field users never type."""
    return FIELD_LABELS.get(field)


def replace_field_names(message: str) -> str:
    """Replace the known internal field names in a service's message with Chinese labels."""
    return _FIELD_NAME.sub(lambda match: FIELD_LABELS[match.group(1)], message)


def install_filters(environment: Environment) -> None:
    environment.filters.update(
        yuan=yuan,
        local_time=local_time,
        duration=duration,
        category_label=category_label,
        grade_label=grade_label,
        office_label=office_label,
        role_label=lambda role: ROLE_LABELS.get(str(role), str(role)),
    )
    environment.globals.update(
        CATEGORY_LABELS=CATEGORY_LABELS,
        CATEGORY_ORDER=CATEGORY_ORDER,
        QUESTION_KIND_LABELS=QUESTION_KIND_LABELS,
    )
