"""Activation by people on and not on the roster; Registered on Kafka."""

import pytest
from education_contracts.events import Registered

from identity_support import (
    activate,
    add_person,
    headers_of,
    latest_code,
    new_id,
    payload_of,
    read_topic,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_activation_publishes_registered(service, settings):
    id_number = new_id(11)
    entry = add_person(service, "测试甲", id_number, grade="高级技师")

    response = await activate(service, "测试甲", id_number.lower(), "19900001111")
    assert response.status_code == 201, response.text
    assert response.json()["learner_id"] == str(entry.learner_id)

    (record,) = await read_topic(settings, 1)
    headers = headers_of(record)
    assert headers["ce_type"] == "gqjy.identity.learner.registered.v1"
    assert headers["ce_source"] == "/gqjy/identity"
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_subject"] == str(entry.learner_id)
    assert headers["content-type"] == "application/json"
    assert record.key.decode() == str(entry.learner_id)
    assert headers["ce_dataschema"] == Registered.meta.dataschema
    assert Registered.parse_payload(record.value).learner_id == entry.learner_id

    payload = payload_of(record)
    assert payload["learner_id"] == str(entry.learner_id)
    assert payload["grade"] == "senior_technician"
    assert payload["masked_id_number"] == id_number[:3] + "*" * 11 + id_number[-4:]
    assert payload["region_office_id"] == "nantong-tongzhou"
    raw = record.value.decode()
    assert id_number not in raw
    assert "19900001111" not in raw


async def test_activation_not_on_roster_shows_office_card(service):
    response = await service.client.post("/api/activation/sms", json={
        "name": "无名氏", "id_number": new_id(12, prefix="320681"), "mobile": "19900001112"})
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_on_roster"
    assert [office["office_id"] for office in body["offices"]] == ["nantong-qidong"]
    assert body["offices"][0]["phone"] in body["error"]["message"]


async def test_activation_outside_jiangsu_lists_all_offices(service):
    response = await service.client.post("/api/activation/sms", json={
        "name": "无名氏", "id_number": "11010519491231002X", "mobile": "19900001113"})
    assert response.status_code == 404
    assert len(response.json()["offices"]) == 20


async def test_activation_name_mismatch_treated_as_not_on_roster(service):
    id_number = new_id(13)
    add_person(service, "测试乙", id_number)
    response = await service.client.post("/api/activation/sms", json={
        "name": "测试丙", "id_number": id_number, "mobile": "19900001114"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_on_roster"


async def test_activation_twice_is_rejected(service):
    id_number = new_id(14)
    add_person(service, "测试丁", id_number)
    assert (await activate(service, "测试丁", id_number, "19900001115")).status_code == 201
    again = await service.client.post("/api/activation/sms", json={
        "name": "测试丁", "id_number": id_number, "mobile": "19900001115"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_activated"


async def test_weak_password_keeps_the_code(service):
    id_number = new_id(15)
    add_person(service, "测试戊", id_number)
    await service.client.post("/api/activation/sms", json={
        "name": "测试戊", "id_number": id_number, "mobile": "19900001116"})
    code = await latest_code(service, "19900001116")
    body = {"name": "测试戊", "id_number": id_number, "mobile": "19900001116", "sms_code": code}

    weak = await service.client.post("/api/activation", json=body | {"password": "password1"})
    assert weak.status_code == 422
    assert weak.json()["error"]["code"] == "weak_password"

    strong = await service.client.post("/api/activation", json=body | {"password": "Strong#Pass9"})
    assert strong.status_code == 201


async def test_code_for_another_phone_is_rejected(service):
    id_number = new_id(16)
    add_person(service, "测试己", id_number)
    await service.client.post("/api/activation/sms", json={
        "name": "测试己", "id_number": id_number, "mobile": "19900001117"})
    code = await latest_code(service, "19900001117")
    response = await service.client.post("/api/activation", json={
        "name": "测试己", "id_number": id_number, "mobile": "19900001118", "sms_code": code,
        "password": "Strong#Pass9"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sms_code_invalid"


async def test_invalid_id_number_gets_chinese_reason(service):
    response = await service.client.post("/api/activation/sms", json={
        "name": "测试", "id_number": "110105194912310021", "mobile": "19900001119"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "身份证号校验位不正确，请核对后重新输入。"
