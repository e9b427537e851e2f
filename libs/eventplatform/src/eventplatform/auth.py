"""Offline verification of the access tokens the identity service signs.

Identity signs tokens with an asymmetric key (EdDSA) and publishes the public
keys as a JWK Set at ``/.well-known/jwks.json``. Every other service verifies
tokens locally with those keys; no call to identity happens per request.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eventplatform.web import UserFacingError

logger = logging.getLogger(__name__)

ISSUER = "gqjy-identity"
AUDIENCE = "gqjy"
ALGORITHMS = ["EdDSA"]


class Role(StrEnum):
    LEARNER = "learner"
    REGIONAL_ADMIN = "regional_admin"
    PROVINCE_OPERATOR = "province_operator"


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    subject: str
    role: Role
    learner_id: UUID | None
    office_id: str | None
    must_change_password: bool = False

    def is_learner(self, learner_id: UUID) -> bool:
        return self.role is Role.LEARNER and self.learner_id == learner_id


class TokenVerifier:
    """Verify tokens against a JWK Set URL (cached) or a fixed list of public keys."""

    def __init__(self, jwks_url: str | None = None, public_keys: list[Any] | None = None) -> None:
        if not jwks_url and not public_keys:
            raise ValueError("TokenVerifier needs a JWKS URL or public keys")
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._keys = public_keys or []

    def verify(self, token: str) -> Principal:
        try:
            key = self._signing_key(token)
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=AUDIENCE, issuer=ISSUER,
                options={"require": ["exp", "sub", "role"]},
            )
        except jwt.PyJWTError as error:
            logger.info("rejected token: %s", type(error).__name__)
            raise UserFacingError(401, "登录已失效，请重新登录。", "invalid_token") from None
        learner_id = claims.get("learner_id")
        return Principal(
            subject=str(claims["sub"]),
            role=Role(claims["role"]),
            learner_id=UUID(learner_id) if learner_id else None,
            office_id=claims.get("office_id"),
            must_change_password=bool(claims.get("must_change_password", False)),
        )

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        header = jwt.get_unverified_header(token)
        for key in self._keys:
            if getattr(key, "key_id", None) in (None, header.get("kid")):
                return getattr(key, "key", key)
        raise jwt.InvalidKeyError("no key matches the token's kid")


_bearer = HTTPBearer(auto_error=False)


def principal_dependency(get_verifier: Callable[[Request], TokenVerifier]) -> Callable[..., Principal]:
    """Build a FastAPI dependency that returns the verified ``Principal``."""

    def current_principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise UserFacingError(401, "请先登录。", "not_authenticated")
        return get_verifier(request).verify(credentials.credentials)

    return current_principal


def require_role(principal: Principal, *roles: Role) -> None:
    """Reject the request unless the caller has one of ``roles``."""
    if principal.role not in roles:
        raise UserFacingError(403, "您没有权限进行此操作。", "forbidden")
