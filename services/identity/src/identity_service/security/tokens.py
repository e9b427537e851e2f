"""Access tokens: EdDSA (Ed25519) JWTs and the public JWK Set other services verify them with."""

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventplatform.auth import AUDIENCE, ISSUER, Role, TokenVerifier
from eventplatform.clock import Clock
from jwt.algorithms import OKPAlgorithm

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenSubject:
    """The account a token is issued to."""

    subject: str
    role: Role
    learner_id: str | None
    office_id: str | None
    must_change_password: bool


def load_signing_key(path: Path, *, create_if_missing: bool) -> Ed25519PrivateKey:
    """Read the Ed25519 private key from a PEM file, generating one if allowed and missing."""
    if not path.exists():
        if not create_if_missing:
            raise FileNotFoundError(f"signing key {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        logger.info("generated a development signing key at %s", path)
        return key
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"signing key {path} is not an Ed25519 private key")
    return loaded


class TokenIssuer:
    """Sign access tokens and publish the matching public key."""

    def __init__(self, private_key: Ed25519PrivateKey, clock: Clock, lifetime: timedelta) -> None:
        self._private_key = private_key
        self._clock = clock
        self.lifetime = lifetime
        self.public_jwk = _public_jwk(private_key)
        self.key_id = self.public_jwk["kid"]

    def issue(self, subject: TokenSubject) -> str:
        now = self._clock.now()
        claims: dict[str, Any] = {
            "sub": subject.subject,
            "role": subject.role.value,
            "learner_id": subject.learner_id,
            "office_id": subject.office_id,
            "must_change_password": subject.must_change_password,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
        }
        return jwt.encode(claims, self._private_key, algorithm="EdDSA", headers={"kid": self.key_id})

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.public_jwk]}

    def verifier(self) -> TokenVerifier:
        """Build a verifier that checks tokens against this issuer's key without an HTTP call."""
        return TokenVerifier(public_keys=[jwt.PyJWK(self.public_jwk)])


def _public_jwk(private_key: Ed25519PrivateKey) -> dict[str, str]:
    jwk = OKPAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    # RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"], "kid": kid, "alg": "EdDSA",
            "use": "sig"}
