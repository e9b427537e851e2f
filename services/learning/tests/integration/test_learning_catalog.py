"""Catalog management on real PostgreSQL and Kafka: API, file import, published events."""

import json

import pytest
from learning_testkit import read_topic, relay_caught_up
from education_contracts import CoursePublished, CourseWithdrawn, Topics
from eventplatform.testing import eventually, running
from learning_service.demo import seed_demo

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CSV_HEADER = "课程编号,课程名称,类别,学时,提供方编号,提供方名称,课程简介,章节序号,章节名称,时长\n"


async def test_csv_import_publishes_courses(learning, token_for):
    operator = token_for("province_operator")
    csv_text = CSV_HEADER + (
        "SZ-900,宪法学习,思政,2,prov-a,甲培训中心,简介,1,第一讲,25:00\n"
        "SZ-900,,,,,,,2,第二讲,1800\n"
        "TS-900,公文写作,通识,1,prov-a,甲培训中心,,1,第一讲,1200\n"
    )
    async with running(learning, consumers=False) as harness:
        response = await harness.client.post(
            "/api/learning/catalog/import", headers=operator,
            files={"file": ("catalog.csv", csv_text.encode(), "text/csv")},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"created": 2, "revised": 0, "unchanged": 0, "providers": 1}

        listing = await harness.client.get("/api/learning/courses?category=political", headers=operator)
        await eventually(lambda: relay_caught_up(learning))
        events = await read_topic(learning, Topics.CATALOG)

    assert [course["code"] for course in listing.json()] == ["SZ-900"]
    assert listing.json()[0]["total_duration_seconds"] == 3300
    published = {event.code: event for event in events if isinstance(event, CoursePublished)}
    assert set(published) == {"SZ-900", "TS-900"}
    assert published["SZ-900"].chapter_count == 2
    assert published["SZ-900"].provider_name == "甲培训中心"


async def test_invalid_rows_reject_whole_file(learning, token_for):
    operator = token_for("province_operator")
    csv_text = CSV_HEADER + (
        "SZ-901,宪法学习,思政,2,prov-a,甲培训中心,,1,第一讲,25:00\n"
        "SZ-902,法治素养,政治,2,prov-a,甲培训中心,,1,第一讲,25:00\n"
        "SZ-903,安全观,思政,30,prov-a,甲培训中心,,1,第一讲,abc\n"
    )
    async with running(learning, consumers=False, relay=False) as harness:
        response = await harness.client.post(
            "/api/learning/catalog/import", headers=operator,
            files={"file": ("catalog.csv", csv_text.encode(), "text/csv")},
        )
        listing = await harness.client.get("/api/learning/courses", headers=operator)

    assert response.status_code == 422
    rows = response.json()["rows"]
    assert [row["row"] for row in rows] == [3, 4]
    assert "类别" in rows[0]["message"]
    assert "时长" in rows[1]["message"]
    assert listing.json() == []


async def test_json_import_reports_unknown_provider(learning, token_for):
    operator = token_for("province_operator")
    document = {"courses": [{
        "code": "JN-901", "title": "电梯安全", "category": "job_skills", "credit_hours": 2,
        "provider_id": "nobody", "chapters": [{"title": "第一讲", "duration_seconds": 1500}],
    }]}
    async with running(learning, consumers=False, relay=False) as harness:
        response = await harness.client.post(
            "/api/learning/catalog/import", headers=operator,
            files={"file": ("catalog.json", json.dumps(document).encode(), "application/json")},
        )

    assert response.status_code == 422
    assert "nobody" in response.json()["rows"][0]["message"]


async def test_withdraw_publishes_course_withdrawn(learning, token_for):
    operator = token_for("province_operator")
    async with running(learning, consumers=False) as harness:
        created = await harness.client.post("/api/learning/providers", headers=operator,
                                            json={"provider_id": "prov-b", "name": "乙培训中心"})
        course = await harness.client.post("/api/learning/courses", headers=operator, json={
            "code": "TS-902", "title": "办公软件", "category": "general", "credit_hours": 1,
            "provider_id": "prov-b", "chapters": [{"title": "第一讲", "duration_seconds": 1500}],
        })
        course_id = course.json()["course_id"]
        withdrawn = await harness.client.post(f"/api/learning/courses/{course_id}/withdraw", headers=operator)
        await eventually(lambda: relay_caught_up(learning))
        events = await read_topic(learning, Topics.CATALOG)

    assert created.status_code == 201
    assert course.json()["outcome"] == "created"
    assert withdrawn.json()["status"] == "withdrawn"
    assert [type(event) for event in events] == [CoursePublished, CourseWithdrawn]


async def test_learner_cannot_change_catalog(learning, token_for):
    async with running(learning, consumers=False, relay=False) as harness:
        response = await harness.client.post("/api/learning/providers", headers=token_for("learner"),
                                             json={"provider_id": "prov-c", "name": "丙"})

    assert response.status_code == 403


async def test_demo_catalog_serves_videos(learning, token_for):
    operator = token_for("province_operator")
    async with running(learning, consumers=False, relay=False) as harness:
        assert seed_demo(learning) == 0
        courses = (await harness.client.get("/api/learning/courses", headers=operator)).json()
        detail = (await harness.client.get(f"/api/learning/courses/{courses[0]['course_id']}",
                                           headers=operator)).json()
        video = await harness.client.get(detail["chapters"][0]["video_url"], headers={"Range": "bytes=0-99"})

    per_category = {category: sum(1 for c in courses if c["category"] == category)
                    for category in ("political", "general", "job_skills")}
    assert all(count >= 16 for count in per_category.values())  # 15 demo courses plus a test course
    assert len({course["provider_id"] for course in courses}) >= 3
    assert video.status_code == 206
    assert video.headers["content-type"] == "video/mp4"
    assert len(video.content) == 100


async def test_invalid_course_gets_chinese_message(learning, token_for):
    operator = token_for("province_operator")
    async with running(learning, consumers=False, relay=False) as harness:
        await harness.client.post("/api/learning/providers", headers=operator,
                                  json={"provider_id": "prov-d", "name": "丁培训中心"})
        response = await harness.client.post("/api/learning/courses", headers=operator, json={
            "code": "TS-903", "title": "办公软件", "category": "leisure", "credit_hours": 1,
            "provider_id": "prov-d", "chapters": [{"title": "第一讲", "duration_seconds": 1500}],
        })

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_course"
    assert "类别" in response.json()["error"]["message"]
