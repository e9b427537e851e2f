"""Catalog file parsing with per-row Chinese messages."""

import json

import pytest
from learning_service.catalog_file import UnreadableCatalog, parse_catalog

HEADER = "code,title,category,credit_hours,provider_id,provider_name,description,chapter_number,chapter_title,duration\n"


def test_csv_groups_chapters_by_course():
    text = HEADER + "A-1,课程,通识,2,prov,提供方,,2,第二讲,10:00\nA-1,,,,,,,1,第一讲,600\n"
    parsed = parse_catalog("c.csv", text.encode())
    assert parsed.errors == []
    assert [chapter.title for chapter in parsed.courses[0].chapters] == ["第一讲", "第二讲"]
    assert parsed.providers == {"prov": "提供方"}


def test_csv_reports_each_bad_row():
    text = HEADER + "A-1,课程,通识,0,prov,提供方,,1,第一讲,600\n,,,,,,,,,\nA-2,课程,通识,1,prov,提供方,,1,第一讲,0\n"
    parsed = parse_catalog("c.csv", text.encode())
    assert [error.row for error in parsed.errors] == [3, 2, 4]
    assert "学时" in parsed.errors[1].message
    assert "课程编号不能为空" in parsed.errors[0].message


def test_json_duplicate_code_is_reported():
    course = {"code": "B-1", "title": "课", "category": "general", "credit_hours": 1, "provider_id": "prov",
              "chapters": [{"title": "一", "duration_seconds": 60}]}
    parsed = parse_catalog("c.json", json.dumps({"courses": [course, course]}).encode())
    assert len(parsed.courses) == 1
    assert "重复" in parsed.errors[0].message


def test_unknown_extension_is_unreadable():
    with pytest.raises(UnreadableCatalog):
        parse_catalog("c.xlsx", b"x")
