"""Chinese texts users see for validation reasons and import results."""

from identity_service.domain.roster import CREDIT_CODE_CHECK_WARNING

REASONS = {
    "id_number_missing": "身份证号不能为空。",
    "id_number_length": "身份证号应为18位，请核对位数。",
    "id_number_characters": "身份证号前17位应为数字，最后一位为数字或X。",
    "id_number_region": "身份证号前6位不是有效的地区代码，请核对。",
    "id_number_birth_date": "身份证号中的出生日期无效，请核对第7至14位。",
    "id_number_check_character": "身份证号校验位不正确，请核对后重新输入。",
    "name_missing": "姓名不能为空。",
    "name_too_long": "姓名不能超过50个字。",
    "employing_unit_missing": "工作单位不能为空。",
    "employing_unit_too_long": "工作单位名称不能超过100个字。",
    "credit_code_missing": "统一社会信用代码不能为空。",
    "credit_code_format": "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。",
    "grade_missing": "技术等级不能为空。",
    "grade_unknown": "技术等级应为普通工、初级工、中级工、高级工、技师或高级技师之一。",
    "mobile_missing": "请填写手机号。",
    "mobile_format": "手机号应为以1开头的11位号码。",
    "password_length": "密码长度应为8至32位。",
    "password_whitespace": "密码不能包含空格。",
    "password_too_simple": "密码须包含大写字母、小写字母、数字、符号中的至少三类。",
    "password_contains_id": "密码不能包含身份证号后六位或用户名。",
    "duplicate_in_file": "文件中该身份证号重复出现，仅导入第一次出现的行。",
    "on_other_roster": "该人员已在其他工考办的花名册中，请联系对方工考办核实。",
}

WARNINGS = {
    CREDIT_CODE_CHECK_WARNING: "统一社会信用代码校验位不符，已保存，请核对是否填写正确。",
}


def reason_text(code: str) -> str:
    return REASONS.get(code, "填写内容无效，请核对后重试。")


def warning_text(code: str) -> str:
    return WARNINGS.get(code, code)
