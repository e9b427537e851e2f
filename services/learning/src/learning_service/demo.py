"""``seed-demo``: an invented demo catalog with playable clips, plus short test courses.

Every name here is invented. Chapter durations are 20 to 45 minutes, and every
chapter plays the packaged 20-second clip of its category (see ``media``).
Progress counts the declared duration, so only the test courses can be
completed by playing them: they have two 20-second chapters each, for end-to-end runs.
"""

import logging
import zlib

from eventplatform.runtime import ServiceDefinition

from learning_service.application import Learning
from learning_service.domain import Chapter, CourseDetails
from learning_service.media import default_video_file, install_demo_clips
from learning_service.settings import LearningSettings

logger = logging.getLogger(__name__)

PROVIDERS = {
    "sxt": "苏学堂教育科技有限公司",
    "jlzy": "金陵职业技能研究院",
    "jhjy": "江海继续教育中心",
}

TITLES = {
    "political": ("SZ", [
        "习近平新时代中国特色社会主义思想概论", "党的二十大精神学习辅导", "社会主义核心价值观与职业道德",
        "中华优秀传统文化与公民修养", "宪法精神与法治素养", "新时代廉洁自律教育",
        "总体国家安全观学习导读", "中国式现代化的理论与实践", "长江经济带高质量发展与江苏实践",
        "新时代工匠精神解读", "全面从严治党与作风建设", "共同富裕的时代内涵",
        "生态文明建设与绿色发展", "铸牢中华民族共同体意识", "江苏红色文化资源导览",
    ]),
    "general": ("TS", [
        "公文写作基础与常用文种", "办公软件高效应用", "数字政府与政务服务数字化",
        "个人信息保护与网络安全常识", "职场沟通与团队协作", "心理健康与压力调适",
        "应急救护与心肺复苏基础", "消防安全与火灾逃生", "健康生活方式与慢病预防",
        "劳动法律法规与权益保护", "保密工作基础知识", "人工智能应用入门",
        "节约型机关建设与绿色办公", "服务礼仪与形象规范", "时间管理与工作效率提升",
    ]),
    "job_skills": ("JN", [
        "公务车辆安全驾驶与日常维护", "公共建筑电气设备安全运行", "中央空调系统运行与维护",
        "给排水设施日常维护", "机关食堂食品安全管理", "中式烹调技能提升",
        "物业保洁规范与消毒技术", "园林绿化养护技术", "安防监控系统操作与维护",
        "会务服务与接待流程", "档案整理与数字化基础", "电梯安全管理与应急处置",
        "计算机网络日常运维", "文印设备操作与维护", "仓储物资管理实务",
    ]),
}

TEST_COURSES = {
    "political": ("TEST-SZ", "测试课程（思政）"),
    "general": ("TEST-TS", "测试课程（通识）"),
    "job_skills": ("TEST-JN", "测试课程（岗位技能提升）"),
}
TEST_CHAPTER_SECONDS = 20


def demo_courses() -> list[CourseDetails]:
    """Return the 45 demo courses (15 per category) and the 3 test courses."""
    courses = []
    provider_ids = list(PROVIDERS)
    for category, (prefix, titles) in TITLES.items():
        for index, title in enumerate(titles, start=1):
            code = f"{prefix}-{index:03d}"
            credit_hours = 1 + index % 3
            chapters = tuple(
                Chapter(number=number, title=f"第{number}讲 {title}（{number}）",
                        duration_seconds=_chapter_seconds(code, number), video_file=default_video_file(category))
                for number in range(1, credit_hours + 2)
            )
            courses.append(CourseDetails(
                code=code, title=title, category=category, credit_hours=credit_hours,
                provider_id=provider_ids[(index - 1) % len(provider_ids)],
                description=f"本课程围绕“{title}”展开，结合机关事业单位工勤岗位的工作实际讲解要点和案例。",
                chapters=chapters,
            ))
    for category, (code, title) in TEST_COURSES.items():
        chapters = tuple(
            Chapter(number=number, title=f"测试章节 {number}", duration_seconds=TEST_CHAPTER_SECONDS,
                    video_file=default_video_file(category))
            for number in (1, 2)
        )
        courses.append(CourseDetails(
            code=code, title=title, category=category, credit_hours=1, provider_id="sxt",
            description="供端到端测试使用的短课程，每章 20 秒。", chapters=chapters,
        ))
    return courses


def _chapter_seconds(code: str, number: int) -> int:
    """Return a stable duration between 20 and 45 minutes, in whole minutes."""
    minutes = 20 + zlib.crc32(f"{code}:{number}".encode()) % 26
    return minutes * 60


def seed_demo(definition: ServiceDefinition) -> int:
    """Install the demo clips and import the demo catalog; running it again changes nothing."""
    settings = definition.settings
    application = definition.application
    assert isinstance(settings, LearningSettings) and isinstance(application, Learning)
    clips = install_demo_clips(settings.media_path)
    counts = application.import_catalog(dict(PROVIDERS), demo_courses())
    if definition.projector is not None:
        definition.projector.catch_up()
    logger.info("demo catalog seeded: %s; %d clips in %s", counts, len(clips), settings.media_path)
    print(f"demo catalog: {counts['created']} created, {counts['revised']} revised, "
          f"{counts['unchanged']} unchanged; clips in {settings.media_path}")
    return 0
