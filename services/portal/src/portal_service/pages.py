"""Shared page plumbing: rendering, login and role guards, CSRF check, redirects."""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from portal_service import formatting
from portal_service.clients import Downstream
from portal_service.infocentre import InfoCentre
from portal_service.sessions import CSRF_FIELD, CSRF_HEADER, Session, session_of
from portal_service.settings import PortalSettings

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

LEARNER = "learner"
REGIONAL_ADMIN = "regional_admin"
PROVINCE_OPERATOR = "province_operator"
ADMIN_ROLES = (REGIONAL_ADMIN, PROVINCE_OPERATOR)


@dataclass
class Portal:
    """Objects every route needs, stored on ``app.state.portal``."""

    settings: PortalSettings
    downstream: Downstream
    infocentre: InfoCentre
    templates: Jinja2Templates


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    formatting.install_filters(templates.env)
    return templates


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


class LoginRequired(Exception):
    """The page needs a logged-in user of another role, or any user at all."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfRejected(Exception):
    """A state-changing request came without the session's CSRF token."""


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the session, flash messages and CSRF token filled in."""
    portal = portal_of(request)
    session = session_of(request)
    context.update(
        request=request,
        session=session,
        user=session.user if session.logged_in else {},
        csrf_token=session.csrf,
        csrf_field=CSRF_FIELD,
        flashes=session.pop_flashes(),
        hotline=portal.settings.support_hotline,
    )
    return portal.templates.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """Return a 303 redirect, so the browser follows a form post with a GET."""
    return RedirectResponse(url, status_code=303)


def back_url(request: Request, fallback: str = "/") -> str:
    """Return the same-site page the request came from, or ``fallback``."""
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.url.netloc:
        return fallback
    return parts.path + (f"?{parts.query}" if parts.query else "")


def remember_form(session: Session, form: str, values: dict[str, str]) -> None:
    """Keep what the user typed into ``form`` so the page shown after an error can refill it.

    Callers pass only fields that are safe to echo back: never a password or a code.
    """
    session.data[f"form:{form}"] = values
    session.changed = True


def recall_form(session: Session, form: str) -> dict[str, str]:
    """Return and forget the values kept by ``remember_form`` (empty when there are none)."""
    values = session.data.pop(f"form:{form}", None)
    if values is None:
        return {}
    session.changed = True
    return dict(values)


def safe_next(target: str | None, fallback: str) -> str:
    """Accept only a local path as a post-login target, so no open redirect exists."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def require_role(*roles: str) -> Any:
    """Build a dependency that returns the session of a user with one of ``roles``."""

    def dependency(request: Request) -> Session:
        session = session_of(request)
        if not session.logged_in:
            raise LoginRequired("请先登录后再访问此页面。")
        if session.role not in roles:
            raise LoginRequired("当前账号无权访问此页面，请使用有权限的账号登录。")
        return session

    return Depends(dependency)


async def verify_csrf(request: Request) -> None:
    """Reject POST, PUT and DELETE requests that lack the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    session = session_of(request)
    candidate = request.headers.get(CSRF_HEADER)
    if candidate is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            candidate = value if isinstance(value, str) else None
    if not session.csrf_matches(candidate):
        logger.info("%s %s rejected: CSRF token missing or wrong", request.method, request.url.path)
        raise CsrfRejected()


LearnerSession = require_role(LEARNER)
RegionalSession = require_role(REGIONAL_ADMIN)
OperatorSession = require_role(PROVINCE_OPERATOR)
AdminSession = require_role(*ADMIN_ROLES)
AnyUserSession = require_role(LEARNER, *ADMIN_ROLES)
