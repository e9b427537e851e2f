"""FastAPI helpers: the error format users see and the health endpoints."""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from eventplatform.errors import DomainError
from eventplatform.readmodel import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserMessage:
    """The HTTP status and Chinese text that one domain error class shows the user."""

    status: int
    message: str
    code: str = ""


class UserFacingError(Exception):
    """Raise in a route for an error that has no domain class of its own."""

    def __init__(self, status: int, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_error_handlers(
    app: FastAPI, messages: Mapping[type[DomainError], UserMessage]
) -> None:
    """Translate domain errors, validation errors and HTTP errors into one JSON shape."""

    async def on_domain_error(request: Request, error: Exception) -> JSONResponse:
        for error_class in type(error).__mro__:
            user_message = messages.get(error_class)
            if user_message is not None:
                break
        else:
            user_message = UserMessage(400, "请求无法处理，请检查后重试。", "domain_error")
        code = user_message.code or _snake(type(error).__name__)
        logger.info(
            "%s %s rejected: %s: %s", request.method, request.url.path, type(error).__name__, error
        )
        return JSONResponse(error_body(code, user_message.message), status_code=user_message.status)

    async def on_user_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, UserFacingError)
        logger.info("%s %s rejected: %s", request.method, request.url.path, error.code)
        return JSONResponse(error_body(error.code, error.message), status_code=error.status)

    async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        fields = sorted({".".join(str(part) for part in item["loc"][1:]) for item in error.errors()})
        logger.info("%s %s invalid input in %s", request.method, request.url.path, fields)
        message = "提交的内容不完整或格式不正确：" + "、".join(f or "请求体" for f in fields)
        return JSONResponse(error_body("invalid_input", message), status_code=422)

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        message = _HTTP_MESSAGES.get(error.status_code, "请求无法处理。")
        if isinstance(error.detail, str) and _is_chinese(error.detail):
            message = error.detail
        return JSONResponse(
            error_body(f"http_{error.status_code}", message),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(UserFacingError, on_user_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


_HTTP_MESSAGES = {
    401: "请先登录。",
    403: "您没有权限进行此操作。",
    404: "请求的内容不存在。",
    405: "不支持此请求方式。",
    429: "操作过于频繁，请稍后再试。",
}


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def health_router(database: Database, bootstrap_servers: str) -> APIRouter:
    """``/healthz/live`` and ``/healthz/ready`` backed by real checks."""
    router = APIRouter(tags=["health"])
    cache: dict[str, float] = {}

    @router.get("/healthz/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/healthz/ready")
    async def ready() -> JSONResponse:
        problems = []
        try:
            await asyncio.to_thread(database.ping)
        except Exception as error:  # noqa: BLE001 - report any failure as not ready
            logger.warning("readiness: database check failed: %s", error)
            problems.append("database")
        if time.monotonic() - cache.get("kafka_ok", 0.0) > 5:
            try:
                await _ping_kafka(bootstrap_servers)
                cache["kafka_ok"] = time.monotonic()
            except Exception as error:  # noqa: BLE001
                logger.warning("readiness: Kafka check failed: %s", error)
                problems.append("kafka")
        status = 503 if problems else 200
        return JSONResponse({"status": "unavailable" if problems else "ok", "failed": problems}, status)

    return router


async def _ping_kafka(bootstrap_servers: str) -> None:
    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=5)
    finally:
        await client.close()


RouteFactory = Callable[[], FastAPI]
