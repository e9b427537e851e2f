"""Bank-gateway port and its adapter for the bank's merchant HTTP API.

Signatures are HMAC-SHA256 with a key shared with the bank. The signed
(canonical) string is every field except ``signature`` whose value is not
null or empty, sorted by name, written ``name=value`` and joined with ``&``;
the signature is the lower-case hex digest. Requests to the bank carry it in
the ``X-Signature`` header, over the JSON body's fields or the query's fields.

HMAC was chosen over Ed25519 because the bank simulator and the common
Chinese acquiring APIs use a shared merchant key, and one secret setting per
side is the least to operate. The cost: any holder of the key can also forge
notifications, so the key must stay out of logs and out of the browser.
"""

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import httpx

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "signature"
SIGNATURE_HEADER = "X-Signature"


def canonical_string(fields: Mapping[str, Any]) -> str:
    """Build the string that is signed: sorted ``name=value`` pairs joined by ``&``."""
    pairs = []
    for name in sorted(fields):
        value = fields[name]
        if name == SIGNATURE_FIELD or value is None or value == "":
            continue
        pairs.append(f"{name}={_text(value)}")
    return "&".join(pairs)


def sign(fields: Mapping[str, Any], key: str) -> str:
    digest = hmac.new(key.encode(), canonical_string(fields).encode(), hashlib.sha256)
    return digest.hexdigest()


def signature_is_valid(fields: Mapping[str, Any], key: str) -> bool:
    """Check ``fields["signature"]`` in constant time."""
    given = fields.get(SIGNATURE_FIELD)
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given, sign(fields, key))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- port ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    payment_id: UUID
    order_id: UUID
    order_number: str
    amount_fen: int
    channel: str
    notify_url: str
    return_url: str


@dataclass(frozen=True)
class BankPaymentStatus:
    """The bank's view of one payment, from a query."""

    payment_id: UUID
    order_id: UUID
    bank_payment_id: str
    amount_fen: int
    status: str  # pending, paid, failed, cancelled or unknown
    paid_at: datetime | None


class BankUnavailable(Exception):
    """The bank could not be reached or returned an error."""


class BankGateway(Protocol):
    async def create_payment(self, request: PaymentRequest) -> str:
        """Register a payment at the bank and return the URL of its hosted payment page."""
        ...

    async def query_payment(self, payment_id: UUID) -> BankPaymentStatus | None:
        """Return the bank's status of a payment, or None when the bank has no record of it."""
        ...


# --- adapter --------------------------------------------------------------------


class HttpBankGateway:
    """Adapter for the bank's merchant API (``/api/merchant/...``) as the simulator serves it."""

    def __init__(self, base_url: str, merchant_id: str, key: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.merchant_id = merchant_id
        self._key = key
        self._client = client

    async def create_payment(self, request: PaymentRequest) -> str:
        body = {
            "merchant_id": self.merchant_id,
            "payment_id": str(request.payment_id),
            "order_id": str(request.order_id),
            "order_number": request.order_number,
            "amount_fen": request.amount_fen,
            "channel": request.channel,
            "notify_url": request.notify_url,
            "return_url": request.return_url,
        }
        response = await self._call("POST", "/api/merchant/payments", json=body, signed=body)
        if response.status_code not in (200, 201):
            raise BankUnavailable(f"bank rejected payment {request.payment_id}: HTTP {response.status_code}")
        return str(response.json()["pay_url"])

    async def query_payment(self, payment_id: UUID) -> BankPaymentStatus | None:
        params = {"merchant_id": self.merchant_id}
        response = await self._call(
            "GET", f"/api/merchant/payments/{payment_id}", params=params, signed=params
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise BankUnavailable(f"bank query of payment {payment_id} failed: HTTP {response.status_code}")

        data = response.json()
        if not signature_is_valid(data, self._key):
            raise BankUnavailable(f"bank query response for payment {payment_id} has an invalid signature")
        return BankPaymentStatus(
            payment_id=UUID(data["payment_id"]),
            order_id=UUID(data["order_id"]),
            bank_payment_id=data["bank_payment_id"],
            amount_fen=int(data["amount_fen"]),
            status=data["status"],
            paid_at=datetime.fromisoformat(data["paid_at"]) if data.get("paid_at") else None,
        )

    async def _call(self, method: str, path: str, *, signed: Mapping[str, Any], **kwargs: Any) -> httpx.Response:
        headers = {SIGNATURE_HEADER: sign(signed, self._key)}
        try:
            return await self._client.request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise BankUnavailable(f"bank call {method} {path} failed: {type(error).__name__}: {error}") from error
