"""Learning and testing: the course player, its heartbeats, the video stream and the
course test (answer card, hand-in, review, retry)."""

import logging
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from portal_service.clients import ServiceError, unavailable_message
from portal_service.pages import LearnerSession, portal_of, redirect, render
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/learner")

FORWARDED_VIDEO_HEADERS = ("content-type", "content-length", "content-range", "accept-ranges",
                           "last-modified", "etag")


@router.get("/classes/{class_id}/courses/{course_id}")
async def player(request: Request, class_id: str, course_id: str, chapter: str = "",
                 session: Session = LearnerSession) -> Response:
    """课程学习: chapter list beside the video, resuming where the learner stopped."""
    course = await portal_of(request).downstream.call(
        "learning", "GET", f"/api/learning/classes/{class_id}/courses/{course_id}", session.token)
    chapters = course.get("chapters", [])
    if not chapters:
        session.flash("该课程暂无可播放的章节，请稍后再试或联系客服。")
        return redirect(f"/learner/classes/{class_id}")
    resume = course.get("resume") or {}
    current = next((c for c in chapters if c["chapter_id"] == chapter), None)
    if current is None:
        current = next((c for c in chapters if c["chapter_id"] == resume.get("chapter_id")),
                       chapters[0])
    start_at = 0.0
    if current["chapter_id"] == resume.get("chapter_id"):
        start_at = float(resume.get("position_seconds") or 0)
    elif not current.get("completed"):
        start_at = float(current.get("position_seconds") or 0)
    return render(request, "learner/player.html", active="classes", class_id=class_id,
                  course=course, chapters=chapters, current=current, start_at=start_at)


@router.post("/api/heartbeats")
async def heartbeat(request: Request, session: Session = LearnerSession) -> Response:
    """Forward one player heartbeat to learning; the CSRF header is checked by the router."""
    body = await request.json()
    payload = {key: body.get(key) for key in
               ("class_id", "course_id", "chapter_id", "position_seconds", "session_id")}
    result = await portal_of(request).downstream.call(
        "learning", "POST", "/api/learning/heartbeats", session.token, json=payload)
    return JSONResponse(result)


@router.get("/media/chapters/{chapter_id}/video")
async def chapter_video(request: Request, chapter_id: str,
                        session: Session = LearnerSession) -> Response:
    """Stream a chapter's video from learning, passing Range through so seeking works."""
    client = portal_of(request).downstream.clients["learning"]
    headers = {}
    if "range" in request.headers:
        headers["Range"] = request.headers["range"]
    upstream_request = client.build_request(
        "GET", f"/api/learning/chapters/{chapter_id}/video", headers=headers)
    try:
        upstream = await client.send(upstream_request, stream=True)
    except Exception as error:  # noqa: BLE001 - any transport failure means "try later"
        logger.warning("video of chapter %s unavailable: %s", chapter_id, type(error).__name__)
        hotline = portal_of(request).settings.support_hotline
        raise ServiceError(503, "service_unavailable", unavailable_message(hotline)) from None
    if upstream.status_code >= 400:
        await upstream.aclose()
        raise ServiceError(upstream.status_code, "video_unavailable",
                           "视频暂时无法播放，请刷新页面重试。")
    forwarded = {k: v for k, v in upstream.headers.items() if k.lower() in FORWARDED_VIDEO_HEADERS}
    return StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code,
                             headers=forwarded, background=BackgroundTask(upstream.aclose))


# --- course test ----------------------------------------------------------------


@router.get("/classes/{class_id}/courses/{course_id}/test")
async def test_status(request: Request, class_id: str, course_id: str,
                      session: Session = LearnerSession) -> Response:
    """课后测验 entry: continue an open attempt, or show results and start a new one."""
    status = await portal_of(request).downstream.call(
        "assessment", "GET", f"/api/assessment/courses/{course_id}/test", session.token)
    if status.get("open_attempt_id"):
        return redirect(f"/learner/classes/{class_id}/attempts/{status['open_attempt_id']}")
    return render(request, "learner/test_status.html", active="classes", class_id=class_id,
                  course_id=course_id, status=status)


@router.post("/classes/{class_id}/courses/{course_id}/test")
async def start_attempt(request: Request, class_id: str, course_id: str,
                        session: Session = LearnerSession) -> Response:
    """开始测验 / 继续测验: draw a new set of questions."""
    attempt = await portal_of(request).downstream.call(
        "assessment", "POST", f"/api/assessment/courses/{course_id}/attempts", session.token)
    return redirect(f"/learner/classes/{class_id}/attempts/{attempt['attempt_id']}")


@router.get("/classes/{class_id}/attempts/{attempt_id}")
async def attempt_page(request: Request, class_id: str, attempt_id: str,
                       session: Session = LearnerSession) -> Response:
    attempt = await portal_of(request).downstream.call(
        "assessment", "GET", f"/api/assessment/attempts/{attempt_id}", session.token)
    template = "learner/test_attempt.html" if attempt.get("status") == "open" else \
        "learner/test_review.html"
    return render(request, template, active="classes", class_id=class_id, attempt=attempt)


@router.post("/classes/{class_id}/attempts/{attempt_id}/hand-in")
async def hand_in(request: Request, class_id: str, attempt_id: str,
                  session: Session = LearnerSession) -> Response:
    """我要交卷: collect the answer of every question and have it scored."""
    form = await request.form()
    answers: dict[str, list[str]] = {}
    for key in form.keys():
        if key.startswith("answer:"):
            values = [str(value) for value in form.getlist(key) if str(value)]
            if values:
                answers[key.removeprefix("answer:")] = sorted(values)
    await portal_of(request).downstream.call(
        "assessment", "POST", f"/api/assessment/attempts/{attempt_id}/hand-in", session.token,
        json={"answers": answers})
    return redirect(f"/learner/classes/{class_id}/attempts/{attempt_id}")

