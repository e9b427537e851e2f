"""Encrypted cookie sessions, CSRF tokens and flash messages.

The session lives in one cookie encrypted and authenticated with Fernet, so the
access token it carries is neither readable nor forgeable in the browser. The
cookie is HttpOnly and SameSite=Lax; every state-changing request must also
echo the session's CSRF token (synchronizer token pattern), in the form field
``csrf_token`` or the ``X-CSRF-Token`` header.
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request
from starlette.responses import Response

logger = logging.getLogger(__name__)

COOKIE_NAME = "gqjy_portal"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class Session:
    """Session state of one browser, kept between requests."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token: str | None = None
    user: dict[str, Any] = field(default_factory=dict)
    logged_in_at: float | None = None
    last_seen: float = field(default_factory=time.time)
    captcha: dict[str, Any] = field(default_factory=dict)
    flashes: list[dict[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = True

    @property
    def logged_in(self) -> bool:
        return self.token is not None

    @property
    def role(self) -> str | None:
        return self.user.get("role") if self.logged_in else None

    def log_in(self, token: str, user: dict[str, Any]) -> None:
        """Start a fresh login; a new CSRF token stops fixation of the old one."""
        self.token = token
        self.user = user
        self.logged_in_at = time.time()
        self.csrf = secrets.token_urlsafe(24)
        self.data = {}
        self.changed = True

    def log_out(self) -> None:
        self.token = None
        self.user = {}
        self.logged_in_at = None
        self.data = {}
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True

    def flash(self, message: str, kind: str = "error") -> None:
        """Queue a message for the next page shown; kind is error, success or info."""
        self.flashes.append({"kind": kind, "message": message})
        self.changed = True

    def pop_flashes(self) -> list[dict[str, str]]:
        flashes, self.flashes = self.flashes, []
        if flashes:
            self.changed = True
        return flashes

    def csrf_matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(self.csrf, str(candidate))


class SessionCodec:
    """Encrypt sessions into cookie values and back, enforcing idle and absolute expiry."""

    def __init__(self, secret: str, idle_seconds: int, max_seconds: int) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
        self._fernet = Fernet(key)
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    def encode(self, session: Session) -> str:
        document = {
            "csrf": session.csrf,
            "token": session.token,
            "user": session.user,
            "logged_in_at": session.logged_in_at,
            "last_seen": session.last_seen,
            "captcha": session.captcha,
            "flashes": session.flashes,
            "data": session.data,
        }
        return self._fernet.encrypt(json.dumps(document).encode()).decode()

    def decode(self, value: str | None, now: float) -> tuple[Session, bool]:
        """Return the session in ``value`` and whether a login in it expired."""
        if not value:
            return Session(), False
        try:
            document = json.loads(self._fernet.decrypt(value.encode(), ttl=self.max_seconds))
        except (InvalidToken, ValueError):
            logger.info("session cookie rejected: invalid or older than the maximum age")
            return Session(), False
        session = Session(
            csrf=document["csrf"],
            token=document.get("token"),
            user=document.get("user") or {},
            logged_in_at=document.get("logged_in_at"),
            last_seen=document.get("last_seen") or now,
            captcha=document.get("captcha") or {},
            flashes=document.get("flashes") or [],
            data=document.get("data") or {},
            changed=False,
        )
        if session.logged_in and self._login_expired(session, now):
            session.log_out()
            return session, True
        return session, False

    def _login_expired(self, session: Session, now: float) -> bool:
        idle = now - session.last_seen > self.idle_seconds
        too_old = now - (session.logged_in_at or now) > self.max_seconds
        return idle or too_old


def session_of(request: Request) -> Session:
    """Return the session the middleware attached to ``request``."""
    return request.state.session


class SessionMiddleware:
    """Pure ASGI middleware: load the session before the route, store it after."""

    def __init__(self, app: Any, codec: SessionCodec, secure: bool) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/static/", "/healthz/")):
            await self.app(scope, receive, send)
            return

        request = Request(scope)
        now = time.time()
        session, expired = self.codec.decode(request.cookies.get(COOKIE_NAME), now)
        if expired:
            session.flash("登录已超时，为保护账号安全已自动退出，请重新登录。", "info")
        if session.logged_in:
            session.last_seen = now
            session.changed = True
        scope.setdefault("state", {})["session"] = session

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and session.changed:
                response = Response()
                response.set_cookie(
                    COOKIE_NAME,
                    self.codec.encode(session),
                    max_age=self.codec.max_seconds,
                    httponly=True,
                    secure=self.secure,
                    samesite="lax",
                    path="/",
                )
                cookie_header = response.headers["set-cookie"].encode("latin-1")
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"set-cookie", cookie_header)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
