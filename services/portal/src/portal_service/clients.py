"""Calls to the other services' HTTP APIs.

Every service returns errors as ``{"error": {"code", "message"}}`` with a
Chinese message meant for the user; ``ServiceError`` carries that message to
the page, which shows it as a flash message.
"""

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from portal_service.formatting import replace_field_names
from portal_service.settings import PortalSettings

logger = logging.getLogger(__name__)

SERVICES = ("identity", "enrollment", "payment", "learning", "assessment", "credential")


class ServiceError(Exception):
    """A downstream service rejected a request or could not be reached."""

    def __init__(self, status: int, code: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body


def unavailable_message(hotline: str) -> str:
    return f"系统繁忙，暂时无法完成操作，请稍后再试。如问题持续，请拨打客服电话 {hotline}。"


@dataclass
class Downstream:
    """One ``httpx.AsyncClient`` per service, sharing timeouts and the error mapping."""

    clients: dict[str, httpx.AsyncClient]
    hotline: str

    @classmethod
    def from_settings(cls, settings: PortalSettings) -> "Downstream":
        timeout = httpx.Timeout(settings.downstream_timeout_seconds)
        clients = {
            name: httpx.AsyncClient(base_url=getattr(settings, f"{name}_url"), timeout=timeout)
            for name in SERVICES
        }
        return cls(clients=clients, hotline=settings.support_hotline)

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send one request and return its decoded JSON body (None when empty)."""
        response = await self.raw(service, method, path, token, **kwargs)
        if not response.content:
            return None
        return response.json()

    async def raw(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request and return the response when its status is below 400."""
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            logger.warning("%s %s %s failed: %s", service, method, path, type(error).__name__)
            raise ServiceError(503, "service_unavailable", unavailable_message(self.hotline)) from None
        if response.status_code >= 400:
            raise self.error_of(service, method, path, response)
        return response

    def error_of(
        self, service: str, method: str, path: str, response: httpx.Response
    ) -> ServiceError:
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            pass
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        logger.info("%s %s %s responded with %d", service, method, path, status)
        if isinstance(error, dict) and error.get("message"):
            # Validation messages of the services name the offending JSON fields.
            message = replace_field_names(str(error["message"]))
            return ServiceError(status, str(error.get("code", "")), message, body)
        if status == 401:
            return ServiceError(401, "not_authenticated", "登录已失效，请重新登录。", body)
        if status == 403:
            return ServiceError(403, "forbidden", "您没有权限进行此操作。", body)
        if status == 404:
            return ServiceError(404, "not_found", "请求的内容不存在，请返回上一页重新选择。", body)
        return ServiceError(status, "service_error", unavailable_message(self.hotline), body)
