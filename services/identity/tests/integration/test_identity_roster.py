"""Roster keeping: file imports, office scope, corrections published to Kafka."""

import io
from datetime import date

import pytest
from eventplatform.auth import Role
from openpyxl import Workbook

from identity_support import (
    activate,
    add_person,
    admin_headers,
    bearer,
    headers_of,
    login,
    new_id,
    payload_of,
    read_topic,
)
from identity_service.demo_data import make_credit_code, make_id_number

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

HEADER = ["姓名", "身份证号", "工作单位", "统一社会信用代码", "技术等级", "手机号"]
CODE = make_credit_code("320612", 3)
BAD_CHECK_CODE = CODE[:17] + ("0" if CODE[17] != "0" else "1")


def mixed_rows() -> list[list[str]]:
    good = make_id_number("320612", date(1979, 4, 2), 41)
    lower_x = next(make_id_number("320612", date(1983, 9, 9), n) for n in range(100, 999)
                   if make_id_number("320612", date(1983, 9, 9), n).endswith("X"))
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    return [
        ["导入甲", good, "通州区示例医院", CODE, "技师", "19900004001"],
        ["导入乙", lower_x.lower(), "通州区示例医院", BAD_CHECK_CODE, "高级技师", ""],
        ["导入丙", wrong_check, "通州区示例医院", CODE, "普通工", ""],
        ["导入丁", "32061219830230004X", "通州区示例医院", CODE, "普通工", ""],
        ["导入戊", make_id_number("320612", date(1990, 1, 1), 43), "通州区示例医院", CODE, "工程师", ""],
        ["导入己", good, "通州区示例医院", CODE, "技师", ""],
        ["导入庚", "3206121990", "通州区示例医院", CODE, "初级工", ""],
        ["导入辛", make_id_number("320612", date(1991, 2, 2), 44), "通州区示例医院", CODE, "初级工",
         "12345"],
        ["", "", "", "", "", ""],
    ]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def upload(service, name: str, content: bytes, headers=None):  # type: ignore[no-untyped-def]
    return await service.client.post("/api/roster/import", headers=headers or admin_headers(service),
                                     files={"file": (name, content)})


async def roster_total(service) -> int:
    response = await service.client.get("/api/roster", headers=admin_headers(service))
    return response.json()["total"]


def check_mixed_report(report: dict) -> None:
    assert report["total_rows"] == 8
    assert report["imported"] == 2
    assert report["unchanged"] == 0
    reasons = {item["row"]: item["reason"] for item in report["rejected"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert reasons[4] == "身份证号校验位不正确，请核对后重新输入。"
    assert "出生日期" in reasons[5]
    assert "技术等级" in reasons[6]
    assert "重复" in reasons[7]
    assert "18位" in reasons[8]
    assert "手机号" in reasons[9]
    assert report["warnings"] == [
        {"row": 3, "message": "统一社会信用代码校验位不符，已保存，请核对是否填写正确。"}
    ]


async def test_csv_import_with_bad_rows_and_reimport(service):
    first = await upload(service, "roster.csv", csv_bytes(mixed_rows()))
    assert first.status_code == 200, first.text
    check_mixed_report(first.json())
    assert await roster_total(service) == 2

    again = await upload(service, "roster.csv", csv_bytes(mixed_rows()))
    assert again.json()["imported"] == 0
    assert again.json()["unchanged"] == 2
    assert await roster_total(service) == 2

    search = await service.client.get("/api/roster", params={"q": "导入乙"},
                                      headers=admin_headers(service))
    (entry,) = search.json()["items"]
    assert entry["id_number"].endswith("X")
    assert entry["grade"] == "senior_technician"
    assert entry["credit_code_valid"] is False


async def test_xlsx_import_with_bad_rows_and_reimport(service):
    first = await upload(service, "roster.xlsx", xlsx_bytes(mixed_rows()))
    assert first.status_code == 200, first.text
    check_mixed_report(first.json())

    again = await upload(service, "roster.xlsx", xlsx_bytes(mixed_rows()))
    assert again.json()["imported"] == 0
    assert again.json()["unchanged"] == 2
    assert await roster_total(service) == 2


async def test_gbk_csv_is_read(service):
    response = await upload(service, "gbk.csv", csv_bytes(mixed_rows()[:1], "gbk"))
    assert response.json()["imported"] == 1


async def test_unreadable_files_save_nothing(service):
    truncated = xlsx_bytes(mixed_rows())[:400]
    response = await upload(service, "broken.xlsx", truncated)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_unreadable"

    no_header = await upload(service, "plain.csv", b"a,b\r\n1,2\r\n")
    assert no_header.status_code == 400
    wrong_type = await upload(service, "roster.txt", b"x")
    assert wrong_type.status_code == 400
    assert await roster_total(service) == 0


async def test_person_on_other_roster_rejected(service):
    add_person(service, "导入甲", make_id_number("320612", date(1979, 4, 2), 41),
               office_id="nantong-haimen")
    response = await upload(service, "roster.csv", csv_bytes(mixed_rows()[:1]))
    assert response.json()["imported"] == 0
    assert "其他工考办" in response.json()["rejected"][0]["reason"]


async def test_regional_admin_cannot_touch_other_office(service):
    entry = add_person(service, "外区甲", new_id(51), office_id="nantong-haimen")
    tongzhou = admin_headers(service)

    patch = await service.client.patch(f"/api/roster/{entry.id}", json={"grade": "高级工"},
                                       headers=tongzhou)
    assert patch.status_code == 403
    assert patch.json()["error"]["code"] == "office_forbidden"
    assert (await service.client.get(f"/api/roster/{entry.id}", headers=tongzhou)).status_code == 403
    assert (await service.client.post(f"/api/roster/{entry.id}/leave",
                                      headers=tongzhou)).status_code == 403
    other_import = await service.client.post(
        "/api/roster/import", headers=tongzhou, data={"office_id": "nantong-haimen"},
        files={"file": ("roster.csv", csv_bytes(mixed_rows()[:1]))})
    assert other_import.status_code == 403

    operator = admin_headers(service, Role.PROVINCE_OPERATOR, None)
    allowed = await service.client.patch(f"/api/roster/{entry.id}", json={"grade": "高级工"},
                                         headers=operator)
    assert allowed.status_code == 200
    assert allowed.json()["entry"]["grade"] == "senior"


async def test_add_person_by_admin_and_duplicate(service):
    body = {"name": "新增甲", "id_number": new_id(52).lower(), "employing_unit": "通州区示例学校",
            "employing_unit_credit_code": BAD_CHECK_CODE, "grade": "中级工", "mobile": "19900004002"}
    created = await service.client.post("/api/roster", json=body, headers=admin_headers(service))
    assert created.status_code == 201, created.text
    entry = created.json()["entry"]
    assert entry["office_id"] == "nantong-tongzhou"
    assert entry["gender"] == "female"
    assert entry["birth_date"] == "1980-05-01"
    assert len(created.json()["warnings"]) == 1

    duplicate = await service.client.post("/api/roster", json=body, headers=admin_headers(service))
    assert duplicate.status_code == 409


async def test_correction_publishes_profile_changed(service, settings):
    id_number = new_id(53)
    entry = add_person(service, "更正甲", id_number, grade="中级工")
    assert (await activate(service, "更正甲", id_number, "19900004003")).status_code == 201

    corrected = await service.client.patch(
        f"/api/roster/{entry.id}", headers=admin_headers(service),
        json={"grade": "技师", "employing_unit": "通州区新单位", "mobile": "19900004004"})
    assert corrected.status_code == 200, corrected.text

    registered, changed = await read_topic(settings, 2)
    assert headers_of(registered)["ce_type"] == "gqjy.identity.learner.registered.v1"
    assert headers_of(changed)["ce_type"] == "gqjy.identity.learner.profile_changed.v1"
    payload = payload_of(changed)
    assert payload["grade"] == "technician"
    assert payload["employing_unit"] == "通州区新单位"
    assert payload["status"] == "active"
    assert id_number not in changed.value.decode()
    assert "19900004004" not in changed.value.decode()

    learner = await login(service, id_number, "Learner#2026")
    me = await service.client.get("/api/me", headers=bearer(learner.json()["access_token"]))
    assert me.json()["grade_label"] == "技师"
    assert me.json()["masked_mobile"] == "199****4004"

    # Learners read their data but cannot correct it.
    refused = await service.client.patch(f"/api/roster/{entry.id}", json={"grade": "高级技师"},
                                         headers=bearer(learner.json()["access_token"]))
    assert refused.status_code == 403
