"""HTTP routes of the learning service (see API.md)."""

import logging
from typing import Annotated, Any
from uuid import UUID

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.runtime import ServiceDefinition
from eventplatform.web import UserFacingError, UserMessage, install_error_handlers
from fastapi import Depends, FastAPI, File, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from learning_service import queries
from learning_service.application import Learning
from learning_service.catalog_file import RowError, UnreadableCatalog, parse_catalog
from learning_service.domain import (
    Chapter,
    ChapterNotFound,
    ClassNotFound,
    CourseDetails,
    CourseNotFound,
    CourseNotSelected,
    InvalidCourse,
    LearningClosed,
    PlaybackTakenOver,
    ProviderNotFound,
)
from learning_service.heartbeats import Heartbeat, HeartbeatRecorder
from learning_service.media import default_video_file, video_path
from learning_service.readmodels import ChapterRow, ProviderRow
from learning_service.settings import LearningSettings

logger = logging.getLogger(__name__)

MAX_CATALOG_BYTES = 5 * 1024 * 1024

ERROR_MESSAGES = {
    ProviderNotFound: UserMessage(404, "课程提供方不存在，请先添加提供方。", "provider_not_found"),
    CourseNotFound: UserMessage(404, "课程不存在，请刷新课程列表后重试。", "course_not_found"),
    ChapterNotFound: UserMessage(404, "章节不存在，请刷新课程页面后重试。", "chapter_not_found"),
    ClassNotFound: UserMessage(404, "未找到已开通的班级，请先完成报名缴费；如已缴费，请稍后刷新。", "class_not_found"),
    CourseNotSelected: UserMessage(403, "该课程不在您本班级的已选课程中，请先选课。", "course_not_selected"),
    LearningClosed: UserMessage(403, "当前不在本班级的学习时间内，学习不计入进度。", "learning_closed"),
    PlaybackTakenOver: UserMessage(
        409, "您已在其他窗口或设备上播放课程，本窗口已停止计时。如需在此学习，请刷新页面。", "playback_taken_over"
    ),
    InvalidCourse: UserMessage(422, "课程信息不完整或格式不正确，请检查课程编号、类别、学时和章节。", "invalid_course"),
}


class ProviderRequest(BaseModel):
    provider_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,31}$")
    name: str = Field(min_length=1, max_length=100)


class ChapterRequest(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    duration_seconds: int = Field(ge=1, le=4 * 3600)
    video_file: str = ""


class CourseRequest(BaseModel):
    code: str
    title: str
    category: str
    credit_hours: int
    provider_id: str
    description: str = ""
    chapters: list[ChapterRequest] = Field(min_length=1)

    def to_details(self) -> CourseDetails:
        chapters = tuple(
            Chapter(number=number, title=chapter.title, duration_seconds=chapter.duration_seconds,
                    video_file=chapter.video_file or default_video_file(self.category))
            for number, chapter in enumerate(self.chapters, start=1)
        )
        return CourseDetails(
            code=self.code.strip(), title=self.title, category=self.category, credit_hours=self.credit_hours,
            provider_id=self.provider_id, description=self.description, chapters=chapters,
        )


class HeartbeatRequest(BaseModel):
    class_id: UUID
    course_id: UUID
    chapter_id: UUID
    position_seconds: float = Field(ge=0, le=24 * 3600)
    session_id: UUID


def create_api(definition: ServiceDefinition, verifier: TokenVerifier, recorder: HeartbeatRecorder) -> FastAPI:
    settings = definition.settings
    assert isinstance(settings, LearningSettings) and isinstance(definition.application, Learning)
    application = definition.application
    database = definition.database
    assert database is not None
    rules = recorder.rules

    api = FastAPI(title="Learning service", version="1.0")
    api.state.verifier = verifier
    install_error_handlers(api, ERROR_MESSAGES)
    Caller = Annotated[Principal, Depends(principal_dependency(lambda request: request.app.state.verifier))]

    def catch_up() -> None:
        if definition.projector is not None:
            definition.projector.catch_up()

    @api.get("/api/learning/providers")
    def get_providers(principal: Caller) -> list[dict[str, str]]:
        with database.sessions() as session:
            return queries.list_providers(session)

    @api.post("/api/learning/providers", status_code=201)
    def post_provider(body: ProviderRequest, principal: Caller) -> dict[str, str]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        application.register_provider(body.provider_id, body.name.strip())
        return {"provider_id": body.provider_id, "name": body.name.strip()}

    @api.get("/api/learning/courses")
    def get_courses(
        principal: Caller,
        category: Annotated[str | None, Query(pattern="^(political|general|job_skills)$")] = None,
        provider_id: str | None = None,
        include_withdrawn: bool = False,
    ) -> list[dict[str, Any]]:
        with database.sessions() as session:
            return queries.list_courses(session, category, provider_id, include_withdrawn)

    @api.get("/api/learning/courses/{course_id}")
    def get_course(course_id: UUID, principal: Caller) -> dict[str, Any]:
        with database.sessions() as session:
            return queries.course_detail(session, course_id)

    @api.post("/api/learning/courses")
    def post_course(body: CourseRequest, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        details = body.to_details()
        outcome = application.publish_course(details)
        catch_up()
        with database.sessions() as session:
            return {**queries.course_detail(session, details.course_id), "outcome": outcome}

    @api.post("/api/learning/courses/{course_id}/withdraw")
    def withdraw_course(course_id: UUID, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        application.withdraw_course(course_id)
        catch_up()
        with database.sessions() as session:
            return queries.course_detail(session, course_id)

    @api.post("/api/learning/catalog/import")
    def import_catalog(principal: Caller, file: Annotated[UploadFile, File()]) -> Any:
        require_role(principal, Role.PROVINCE_OPERATOR)
        content = file.file.read(MAX_CATALOG_BYTES + 1)
        if len(content) > MAX_CATALOG_BYTES:
            raise UserFacingError(413, "目录文件不能超过 5 MB，请拆分后分批上传。", "catalog_too_large")
        try:
            parsed = parse_catalog(file.filename or "", content)
        except UnreadableCatalog as error:
            raise UserFacingError(422, error.message, "unreadable_catalog") from None
        with database.sessions() as session:
            known = set(session.scalars(select(ProviderRow.provider_id)))
        for details in parsed.courses:
            if details.provider_id not in parsed.providers and details.provider_id not in known:
                parsed.errors.append(RowError(
                    parsed.course_rows[details.code],
                    f"{parsed.course_places[details.code]}：提供方编号 {details.provider_id} 不存在，"
                    "请在文件中填写提供方名称，或先添加提供方。",
                ))
        if parsed.errors:
            return _invalid_catalog_response(parsed.errors)
        if not parsed.courses:
            raise UserFacingError(422, "目录文件中没有课程，请填写后重新上传。", "empty_catalog")
        counts = application.import_catalog(parsed.providers, parsed.courses)
        catch_up()
        return counts

    # No token here because a plain <video src> cannot send one.
    # NOTE: any client with a chapter id can fetch its video.
    @api.get("/api/learning/chapters/{chapter_id}/video")
    def get_video(chapter_id: UUID) -> FileResponse:
        with database.sessions() as session:
            chapter = session.get(ChapterRow, chapter_id)
        path = video_path(settings.media_path, chapter.video_file) if chapter else None
        if path is None:
            logger.warning("video of chapter %s not found", chapter_id)
            raise UserFacingError(404, "视频文件不存在，请联系客服。", "video_not_found")
        return FileResponse(path, media_type="video/mp4")

    @api.get("/api/learning/classes/{class_id}/courses")
    def get_my_courses(class_id: UUID, principal: Caller) -> dict[str, Any]:
        learner_id = _learner(principal)
        with database.sessions() as session:
            return queries.my_courses(session, learner_id, class_id, application.clock)

    @api.get("/api/learning/classes/{class_id}/courses/{course_id}")
    def get_my_course(class_id: UUID, course_id: UUID, principal: Caller) -> dict[str, Any]:
        learner_id = _learner(principal)
        with database.sessions() as session:
            return queries.my_course_detail(session, learner_id, class_id, course_id, rules)

    @api.post("/api/learning/heartbeats")
    def post_heartbeat(body: HeartbeatRequest, principal: Caller) -> dict[str, Any]:
        beat = Heartbeat(
            learner_id=_learner(principal), class_id=body.class_id, course_id=body.course_id,
            chapter_id=body.chapter_id, position_seconds=body.position_seconds, session_id=body.session_id,
        )
        result = recorder.record(beat)
        return {
            "counted_seconds": result.counted_seconds,
            "chapter_progress_percent": result.chapter_progress_percent,
            "chapter_completed": result.chapter_completed,
            "course_progress_percent": result.course_progress_percent,
            "course_completed": result.course_completed,
        }

    return api


def _learner(principal: Principal) -> UUID:
    require_role(principal, Role.LEARNER)
    if principal.learner_id is None:
        raise UserFacingError(403, "您没有权限进行此操作。", "forbidden")
    return principal.learner_id


def _invalid_catalog_response(errors: list[RowError]) -> JSONResponse:
    ordered = sorted(errors, key=lambda error: error.row)
    logger.info("catalog import rejected: %d invalid rows", len(ordered))
    return JSONResponse(
        {
            "error": {
                "code": "invalid_catalog_file",
                "message": f"目录文件有 {len(ordered)} 处错误，未导入任何课程。请按提示修改后重新上传。",
            },
            "rows": [{"row": error.row, "message": error.message} for error in ordered],
        },
        status_code=422,
    )
