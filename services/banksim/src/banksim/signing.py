"""HMAC-SHA256 signatures of the simulator's merchant protocol.

The signed (canonical) string is every field except ``signature`` whose
value is not null or empty, sorted by name, written ``name=value`` and joined
with ``&``. Booleans are written ``true``/``false``. The signature is the
lower-case hex digest.
"""

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

SIGNATURE_FIELD = "signature"


def canonical_string(fields: Mapping[str, Any]) -> str:
    pairs = []
    for name in sorted(fields):
        value = fields[name]
        if name == SIGNATURE_FIELD or value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append(f"{name}={value}")
    return "&".join(pairs)


def sign(fields: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_string(fields).encode(), hashlib.sha256).hexdigest()


def verify(fields: Mapping[str, Any], signature: str | None, key: str) -> bool:
    return bool(signature) and hmac.compare_digest(str(signature), sign(fields, key))
