"""The bank's asynchronous payment notifications.

A notification changes something only when its signature is valid, its order
and payment are ones this service started, and its amount is the payment's
amount. Anything else gets a 4xx, an English log line naming the notification
and nothing changes. A repeated notification returns success again and
changes nothing, because the ``OrderPayments`` aggregate ignores a result it
already recorded.
"""

import asyncio
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from eventplatform.errors import DomainError
from eventplatform.readmodel import Database
from eventplatform.web import UserFacingError
from payment_service.application import Payments
from payment_service.domain import AmountMismatch, OrderNotFound, PaymentNotFound
from payment_service.gateway import signature_is_valid
from payment_service.settlement import BankReport, apply_bank_report

logger = logging.getLogger(__name__)

REJECTIONS: dict[type[DomainError], tuple[int, str, str]] = {
    OrderNotFound: (404, "unknown_order", "订单不存在。"),
    PaymentNotFound: (404, "unknown_payment", "支付记录不存在。"),
    AmountMismatch: (409, "amount_mismatch", "支付金额与订单金额不符。"),
}


def notifications_router(payments: Payments, database: Database) -> APIRouter:
    router = APIRouter(tags=["bank"])

    @router.post("/api/payments/notifications")
    async def receive_notification(request: Request) -> dict[str, str]:
        fields = await _json_object(request)
        notify_id = str(fields.get("notify_id", "-"))[:64]

        if not signature_is_valid(fields, payments.settings.bank_signing_key):
            logger.warning(
                "rejected bank notification %s for payment %s: invalid signature",
                notify_id, str(fields.get("payment_id", "-"))[:64],
            )
            raise UserFacingError(401, "签名无效，通知未被接受。", "invalid_signature")
        if fields.get("merchant_id") != payments.settings.bank_merchant_id:
            logger.warning("rejected bank notification %s: merchant id is not ours", notify_id)
            raise UserFacingError(400, "商户号不符，通知未被接受。", "wrong_merchant")

        report = _parse_report(fields, notify_id)
        try:
            outcome = await asyncio.to_thread(apply_bank_report, payments, database, report)
        except (OrderNotFound, PaymentNotFound, AmountMismatch) as error:
            status, code, message = REJECTIONS[type(error)]
            logger.warning(
                "rejected bank notification %s for payment %s of order %s: %s",
                notify_id, report.payment_id, report.order_id, error,
            )
            raise UserFacingError(status, message, code) from None

        logger.info(
            "accepted bank notification %s for payment %s of order %s: %s",
            notify_id, report.payment_id, report.order_id, outcome,
        )
        return {"result": "success", "outcome": outcome}

    return router


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        fields = await request.json()
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        logger.warning("rejected bank notification: body is not a JSON object")
        raise UserFacingError(400, "通知格式不正确。", "invalid_notification")
    return fields


def _parse_report(fields: dict[str, Any], notify_id: str) -> BankReport:
    try:
        paid_at = _aware_time(fields.get("paid_at"))
        return BankReport(
            payment_id=UUID(str(fields["payment_id"])),
            order_id=UUID(str(fields["order_id"])),
            bank_payment_id=str(fields["bank_payment_id"]),
            amount_fen=int(fields["amount_fen"]),
            status=str(fields["status"]),
            paid_at=paid_at,
        )
    except (KeyError, ValueError, TypeError) as error:
        logger.warning("rejected bank notification %s: invalid fields: %s: %s",
                       notify_id, type(error).__name__, error)
        raise UserFacingError(400, "通知格式不正确。", "invalid_notification") from None


def _aware_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"paid_at {value!r} has no UTC offset")
    return parsed
