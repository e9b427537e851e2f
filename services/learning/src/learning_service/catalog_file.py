"""Parse a catalog file (JSON or CSV) into providers and courses, with per-row Chinese messages.

CSV: one row per chapter, UTF-8 (a BOM is accepted), headers in Chinese or English:
课程编号/code, 课程名称/title, 类别/category, 学时/credit_hours, 提供方编号/provider_id,
提供方名称/provider_name, 课程简介/description, 章节序号/chapter_number,
章节名称/chapter_title, 时长/duration, 视频文件/video_file. The course columns are read
from a course's first row; later rows of the same course may leave them empty.

JSON: ``{"providers": [{"provider_id", "name"}], "courses": [{"code", "title",
"category", "credit_hours", "provider_id", "description", "chapters": [{"title",
"duration_seconds", "video_file"}]}]}``; a row number is the course's position (from 1).
"""

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from learning_service.domain import Chapter, CourseDetails, InvalidCourse
from learning_service.domain.catalog import (
    CATEGORIES,
    CODE_PATTERN,
    MAX_CHAPTER_SECONDS,
    MAX_CREDIT_HOURS,
    MIN_CREDIT_HOURS,
    PROVIDER_ID_PATTERN,
)
from learning_service.media import default_video_file

CATEGORY_BY_LABEL = {"思政": "political", "通识": "general", "岗位技能提升": "job_skills"}
CSV_COLUMNS = {
    "课程编号": "code", "课程名称": "title", "类别": "category", "学时": "credit_hours",
    "提供方编号": "provider_id", "提供方名称": "provider_name", "课程简介": "description",
    "章节序号": "chapter_number", "章节名称": "chapter_title", "时长": "duration",
    "视频文件": "video_file",
}
REQUIRED_CSV_COLUMNS = ("code", "chapter_title", "duration")
FIELD_MESSAGES = {
    "code": "课程编号只能包含字母、数字和连字符，长度 2 到 32 位。",
    "title": "课程名称不能为空，且不超过 100 个字。",
    "category": "类别必须是 思政、通识 或 岗位技能提升。",
    "credit_hours": f"学时必须是 {MIN_CREDIT_HOURS} 到 {MAX_CREDIT_HOURS} 之间的整数。",
    "provider_id": "提供方编号只能包含小写字母、数字和连字符，长度 2 到 32 位。",
    "description": "课程简介不能超过 2000 个字。",
    "chapters": "章节有误：每章需要名称（不超过 100 字）、1 秒到 4 小时的时长和有效的视频文件名，序号从 1 连续编号。",
}


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class ParsedCatalog:
    providers: dict[str, str] = field(default_factory=dict)
    courses: list[CourseDetails] = field(default_factory=list)
    course_rows: dict[str, int] = field(default_factory=dict)
    course_places: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


class UnreadableCatalog(ValueError):
    """The file is not a JSON or CSV catalog at all; ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_catalog(filename: str, content: bytes) -> ParsedCatalog:
    """Parse a catalog file by its extension; collect every row's problem instead of stopping."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableCatalog("目录文件必须是 UTF-8 编码，请另存为 UTF-8 后重新上传。") from None
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return _parse_json(text)
    if lowered.endswith(".csv"):
        return _parse_csv(text)
    raise UnreadableCatalog("只支持 .json 或 .csv 格式的目录文件。")


def _parse_json(text: str) -> ParsedCatalog:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableCatalog(f"JSON 格式错误（第 {error.lineno} 行），请检查后重新上传。") from None
    if not isinstance(document, dict) or not isinstance(document.get("courses"), list):
        raise UnreadableCatalog("JSON 目录文件需要包含 courses 列表。")
    parsed = ParsedCatalog()
    for index, provider in enumerate(document.get("providers") or [], start=1):
        _add_provider(parsed, index, provider, f"第 {index} 个提供方")
    for row, course in enumerate(document["courses"], start=1):
        if not isinstance(course, dict):
            parsed.errors.append(RowError(row, f"第 {row} 门课程格式不正确，应为 JSON 对象。"))
            continue
        chapters = course.get("chapters")
        if not isinstance(chapters, list) or not chapters:
            parsed.errors.append(RowError(row, f"第 {row} 门课程缺少章节，请至少填写一章。"))
            continue
        raw_chapters = [
            (number, _text(chapter, "title"), chapter.get("duration_seconds"), _text(chapter, "video_file"))
            for number, chapter in enumerate(chapters, start=1)
            if isinstance(chapter, dict)
        ]
        _add_course(parsed, row, course, raw_chapters, f"第 {row} 门课程")
    return parsed


def _parse_csv(text: str) -> ParsedCatalog:
    reader = csv.DictReader(io.StringIO(text))
    columns = {name: CSV_COLUMNS.get((name or "").strip(), (name or "").strip()) for name in reader.fieldnames or []}
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in columns.values()]
    if missing:
        raise UnreadableCatalog("CSV 缺少必需的列：" + "、".join(_column_label(name) for name in missing) + "。")

    parsed = ParsedCatalog()
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, raw in enumerate(reader, start=2):  # line 1 is the header
        values = {columns[key]: (value or "").strip() for key, value in raw.items() if key in columns}
        code = values.get("code", "")
        if not code:
            parsed.errors.append(RowError(line, f"第 {line} 行：课程编号不能为空。"))
            continue
        grouped.setdefault(code, []).append((line, values))

    for code, rows in grouped.items():
        first_line, first = rows[0]
        if first.get("provider_name"):
            values = {"provider_id": first.get("provider_id", ""), "name": first["provider_name"]}
            _add_provider(parsed, first_line, values, f"第 {first_line} 行")
        raw_chapters: list[tuple[int, str, int, str]] = []
        for line, values in rows:
            duration = _duration_seconds(values.get("duration", ""))
            if duration is None:
                parsed.errors.append(RowError(line, f"第 {line} 行：时长应为秒数或 分:秒 格式，例如 1500 或 25:00。"))
                continue
            number = _int(values.get("chapter_number")) or len(raw_chapters) + 1
            raw_chapters.append((number, values.get("chapter_title", ""), duration, values.get("video_file", "")))
        if len(raw_chapters) < len(rows):
            continue  # the chapter rows already carry their messages
        raw_chapters.sort(key=lambda chapter: chapter[0])
        _add_course(parsed, first_line, first, raw_chapters, f"第 {first_line} 行（课程 {code}）")
    return parsed


def _add_provider(parsed: ParsedCatalog, row: int, values: Any, where: str) -> None:
    provider_id, name = _text(values, "provider_id"), _text(values, "name")
    if not PROVIDER_ID_PATTERN.match(provider_id):
        parsed.errors.append(RowError(row, f"{where}：{FIELD_MESSAGES['provider_id']}"))
        return
    if not 1 <= len(name) <= 100:
        parsed.errors.append(RowError(row, f"{where}：提供方名称不能为空，且不超过 100 个字。"))
        return
    parsed.providers[provider_id] = name


def _add_course(
    parsed: ParsedCatalog, row: int, values: dict[str, Any], raw_chapters: list[tuple[Any, ...]], where: str
) -> None:
    code = _text(values, "code")
    if code.upper() in {known.upper() for known in parsed.course_rows}:
        parsed.errors.append(RowError(row, f"{where}：课程编号 {code} 在文件中重复出现。"))
        return
    category = CATEGORY_BY_LABEL.get(_text(values, "category"), _text(values, "category"))
    credit_hours = _int(values.get("credit_hours"))
    problems = _course_field_problems(code, category, credit_hours)
    if problems:
        parsed.errors.append(RowError(row, f"{where}：" + "".join(problems)))
        return
    try:
        chapters = tuple(
            Chapter(
                number=int(number),
                title=str(title or ""),
                duration_seconds=_int(duration) or 0,
                video_file=str(video or default_video_file(category)),
            )
            for number, title, duration, video in raw_chapters
        )
        details = CourseDetails(
            code=code, title=_text(values, "title"), category=category, credit_hours=credit_hours or 0,
            provider_id=_text(values, "provider_id"), description=_text(values, "description"),
            chapters=chapters,
        )
    except (InvalidCourse, ValueError, TypeError) as error:
        field_name = getattr(error, "field", "chapters")
        parsed.errors.append(RowError(row, f"{where}：{FIELD_MESSAGES.get(field_name, FIELD_MESSAGES['chapters'])}"))
        return
    parsed.courses.append(details)
    parsed.course_rows[code] = row
    parsed.course_places[code] = where


def _course_field_problems(code: str, category: str, credit_hours: int | None) -> list[str]:
    problems = []
    if not CODE_PATTERN.match(code):
        problems.append(FIELD_MESSAGES["code"])
    if category not in CATEGORIES:
        problems.append(FIELD_MESSAGES["category"])
    if credit_hours is None or not MIN_CREDIT_HOURS <= credit_hours <= MAX_CREDIT_HOURS:
        problems.append(FIELD_MESSAGES["credit_hours"])
    return problems


def _duration_seconds(text: str) -> int | None:
    """Read ``1500``, ``25:00`` or ``1:05:00`` as seconds; None when invalid or out of range."""
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds if 1 <= seconds <= MAX_CHAPTER_SECONDS else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(values: Any, key: str) -> str:
    value = values.get(key) if isinstance(values, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _column_label(name: str) -> str:
    return next((label for label, key in CSV_COLUMNS.items() if key == name), name)
