"""The portal's FastAPI application: middleware, error pages, health and page routers."""

import logging
from collections.abc import AsyncIterator
from typing import Any
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal_service.clients import Downstream, ServiceError
from portal_service.formatting import field_label
from portal_service.infocentre import InfoCentre
from portal_service.pages import (
    STATIC_DIR,
    CsrfRejected,
    LoginRequired,
    Portal,
    back_url,
    build_templates,
    redirect,
    render,
    verify_csrf,
)
from portal_service.routes import admin, enroll, learner, public, study
from portal_service.sessions import SessionCodec, SessionMiddleware, session_of
from portal_service.settings import PortalSettings

logger = logging.getLogger(__name__)


def create_api(settings: PortalSettings, downstream: Downstream | None = None) -> FastAPI:
    """Build the portal; ``downstream`` may be replaced by tests with fake services."""
    downstream = downstream or Downstream.from_settings(settings)
    portal = Portal(
        settings=settings,
        downstream=downstream,
        infocentre=InfoCentre(settings.portal_data_dir / "infocentre.json"),
        templates=build_templates(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await downstream.aclose()

    app = FastAPI(title="工勤人员继续教育门户", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.portal = portal

    codec = SessionCodec(
        settings.session_secret,
        idle_seconds=settings.session_idle_minutes * 60,
        max_seconds=settings.session_max_hours * 3600,
    )
    app.add_middleware(SessionMiddleware, codec=codec, secure=settings.secure_cookies)
    app.middleware("http")(_security_headers)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(health_router())
    protected = APIRouter(dependencies=[Depends(verify_csrf)])
    for module in (public, learner, enroll, study, admin):
        protected.include_router(module.router)
    app.include_router(protected)
    install_page_errors(app)
    return app


async def _security_headers(request: Request, call_next: Any) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.url.path.startswith(("/learner", "/admin", "/enroll")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def health_router() -> APIRouter:
    """Liveness and readiness; the portal is ready when it can serve pages at all."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/healthz/ready")
    async def ready() -> dict[str, str]:
        # NOTE: readiness does not call the other services: one slow service must
        # not take every portal replica out of the load balancer. Pages show a
        # "try again later" message when a service is down.
        return {"status": "ok"}

    return router


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/learner/api/") or "application/json" in request.headers.get(
        "accept", ""
    ).split(",")[0]


def invalid_request_message(fields: list[str]) -> str:
    """Say which fields to correct, by their Chinese labels; internal names are left out."""
    labels = [label for label in map(field_label, fields) if label]
    if not labels:
        return "提交的内容不完整或格式不正确，请返回上一页检查后重新提交。"
    unique = list(dict.fromkeys(labels))
    return "以下内容未填写或格式不正确：" + "、".join(unique) + "。请返回上一页修改后重新提交。"


def install_page_errors(app: FastAPI) -> None:
    """Turn errors into flash messages on the page the user came from."""

    async def on_service_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ServiceError)
        session = session_of(request)
        if wants_json(request):
            return JSONResponse({"error": {"code": error.code, "message": error.message}},
                                status_code=error.status)
        if error.status == 401 and session.logged_in:
            session.log_out()
            session.flash("登录已失效，请重新登录。", "info")
            return redirect(f"/?next={request.url.path}")
        if request.method == "GET":
            return render(request, "error.html", status_code=error.status, message=error.message)
        session.flash(error.message)
        return redirect(back_url(request))

    async def on_login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        if wants_json(request):
            return JSONResponse({"error": {"code": "not_authenticated", "message": error.message}},
                                status_code=401)
        session_of(request).flash(error.message, "info")
        return redirect(f"/?next={request.url.path}")

    async def on_csrf_rejected(request: Request, error: Exception) -> Response:
        message = "页面已过期或来源不明，请刷新页面后重新提交。"
        if wants_json(request):
            return JSONResponse({"error": {"code": "csrf_rejected", "message": message}},
                                status_code=403)
        session_of(request).flash(message)
        return redirect(back_url(request))

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        messages = {404: "您访问的页面不存在，请从首页重新进入。", 405: "不支持此操作，请返回上一页。"}
        message = messages.get(error.status_code, "请求无法处理，请返回上一页重试。")
        if wants_json(request):
            return JSONResponse({"error": {"code": f"http_{error.status_code}", "message": message}},
                                status_code=error.status_code)
        return render(request, "error.html", status_code=error.status_code, message=message)

    async def on_invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        fields = sorted({str(item["loc"][-1]) for item in error.errors() if item.get("loc")})
        logger.info("%s %s rejected: invalid or missing fields %s", request.method,
                    request.url.path, fields)
        message = invalid_request_message(fields)
        if wants_json(request):
            return JSONResponse({"error": {"code": "invalid_request", "message": message}},
                                status_code=422)
        return render(request, "error.html", status_code=422, message=message)

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(CsrfRejected, on_csrf_rejected)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
