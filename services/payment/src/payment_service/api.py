"""HTTP API of the payment service: learners' payments, history and invoices, the bank's notifications."""

import asyncio
import logging
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, Field

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.clock import shanghai_today
from eventplatform.projector import LocalProjector
from eventplatform.readmodel import Database
from eventplatform.web import UserFacingError, UserMessage, install_error_handlers
from payment_service import queries
from payment_service.application import Payments
from payment_service.domain import (
    CHANNELS,
    AmountMismatch,
    InvoiceNotFound,
    InvoiceNotYetAvailable,
    InvoiceWindow,
    InvoiceWindowClosed,
    OrderAlreadyPaid,
    OrderClosed,
    OrderNotFound,
    OrderStatus,
    PaymentNotFound,
    UnknownChannel,
    check_channel,
    order_status,
)
from payment_service.gateway import BankGateway, BankUnavailable, PaymentRequest
from payment_service.invoice_pdf import InvoiceDocument, render_invoice
from payment_service.notifications import notifications_router
from payment_service.readmodels import OrderRow
from payment_service.settlement import IncompleteBankReport

logger = logging.getLogger(__name__)

ERROR_MESSAGES = {
    UnknownChannel: UserMessage(422, "不支持该支付方式，请重新选择。", "unknown_channel"),
    OrderNotFound: UserMessage(
        404, "未找到该订单。如刚提交订单，请等待几秒后刷新页面重试。", "order_not_found"
    ),
    PaymentNotFound: UserMessage(404, "未找到该支付记录。", "payment_not_found"),
    OrderAlreadyPaid: UserMessage(409, "该订单已支付，无需重复支付。", "order_already_paid"),
    OrderClosed: UserMessage(409, "该订单已取消或已过期，请重新提交订单后再支付。", "order_closed"),
    AmountMismatch: UserMessage(409, "支付金额与订单金额不符。", "amount_mismatch"),
    IncompleteBankReport: UserMessage(400, "支付结果缺少付款时间。", "incomplete_bank_report"),
    InvoiceNotFound: UserMessage(404, "未找到该发票。", "invoice_not_found"),
}


class PaymentChoice(BaseModel):
    channel: str = Field(min_length=1, max_length=20, description="Payment method code, e.g. 'unionpay'.")


def create_api(
    payments: Payments,
    database: Database,
    gateway: BankGateway,
    verifier: TokenVerifier,
    projector: LocalProjector | None,
) -> FastAPI:
    api = FastAPI(title="Payment service", version="1")
    install_error_handlers(api, ERROR_MESSAGES)
    api.state.verifier = verifier
    current_principal = principal_dependency(lambda request: request.app.state.verifier)
    CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

    api.include_router(notifications_router(payments, database))

    @api.get("/api/payments/channels")
    def list_channels(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"channels": [{"code": code, "label": label} for code, label in CHANNELS.items()]}

    @api.get("/api/payments/history")
    def order_history(principal: CurrentPrincipal) -> dict[str, Any]:
        learner_id = _learner_id(principal)
        today = shanghai_today(payments.clock)
        with database.sessions() as session:
            orders = queries.order_history(session, learner_id, payments.clock.now(), today)
        return {"today": today.isoformat(), "orders": orders}

    @api.get("/api/payments/refunds")
    def list_refunds(principal: CurrentPrincipal) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        with database.sessions() as session:
            return {"refunds": queries.refunds(session)}

    @api.get("/api/payments/invoices/{invoice_id}/pdf")
    def download_invoice(invoice_id: UUID, principal: CurrentPrincipal) -> Response:
        learner_id = _learner_id(principal)
        with database.sessions() as session:
            row = queries.learner_invoice(session, invoice_id, learner_id)
        window = InvoiceWindow(opens_on=row.downloadable_from, closes_on=row.downloadable_until)
        try:
            window.check(invoice_id, shanghai_today(payments.clock))
        except InvoiceNotYetAvailable:
            logger.info("invoice %s requested before %s", invoice_id, window.opens_on)
            raise UserFacingError(
                403,
                f"发票将于{window.opens_on:%Y年%m月%d日}起开放下载"
                f"（付款{payments.settings.invoice_delay_days}天后），请届时再来下载。",
                "invoice_not_yet_available",
            ) from None
        except InvoiceWindowClosed:
            logger.info("invoice %s requested after %s", invoice_id, window.closes_on)
            raise UserFacingError(
                403, f"发票下载期限已于{window.closes_on:%Y年%m月%d日}结束。如需发票，请联系客服。",
                "invoice_window_closed",
            ) from None

        pdf = render_invoice(InvoiceDocument(
            invoice_number=row.invoice_number,
            issued_on=row.issued_on,
            buyer_title=row.buyer_title,
            buyer_credit_code=row.buyer_credit_code,
            seller_name=payments.settings.invoice_seller_name,
            seller_credit_code=payments.settings.invoice_seller_credit_code,
            item=row.item,
            amount_fen=row.amount_fen,
        ))
        logger.info("invoice %s downloaded by learner %s", invoice_id, learner_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="invoice-{row.invoice_number}.pdf"'},
        )

    @api.post("/api/payments/orders/{order_id}", status_code=201)
    async def start_payment(order_id: UUID, choice: PaymentChoice, principal: CurrentPrincipal) -> dict[str, Any]:
        learner_id = _learner_id(principal)
        check_channel(choice.channel)
        order = await asyncio.to_thread(_payable_order, payments, database, order_id, learner_id)

        payment_id = await asyncio.to_thread(payments.start_payment, order.terms(), choice.channel)
        request = PaymentRequest(
            payment_id=payment_id,
            order_id=order_id,
            order_number=order.order_number,
            amount_fen=order.amount_fen,
            channel=choice.channel,
            notify_url=payments.settings.notify_url,
            return_url=payments.settings.return_url_for(order_id, payment_id),
        )
        try:
            pay_url = await gateway.create_payment(request)
        except BankUnavailable as error:
            # The started payment stays pending; reconciliation closes it once the bank denies it.
            logger.error("bank did not register payment %s of order %s: %s", payment_id, order_id, error)
            raise UserFacingError(
                502, "暂时无法连接银行支付页面，请稍后重试。", "bank_unavailable"
            ) from None

        if projector is not None:
            await asyncio.to_thread(projector.catch_up)
        return {
            "payment_id": str(payment_id),
            "order_id": str(order_id),
            "channel": choice.channel,
            "amount_fen": order.amount_fen,
            "status": "pending",
            "pay_url": pay_url,
        }

    @api.get("/api/payments/{payment_id}")
    def payment_status(payment_id: UUID, principal: CurrentPrincipal) -> dict[str, Any]:
        learner_id = _learner_id(principal)
        with database.sessions() as session:
            return queries.learner_payment(session, payment_id, learner_id)

    return api


def _learner_id(principal: Principal) -> UUID:
    require_role(principal, Role.LEARNER)
    if principal.learner_id is None:
        raise UserFacingError(403, "您没有权限进行此操作。", "forbidden")
    return principal.learner_id


def _payable_order(payments: Payments, database: Database, order_id: UUID, learner_id: UUID) -> OrderRow:
    """Return the learner's order if it can still be paid, else raise the reason."""
    with database.sessions() as session:
        order = queries.learner_order(session, order_id, learner_id)
        statuses = queries.payment_statuses(session, order_id)
    status = order_status(statuses, order.cancel_reason, order.expires_at, payments.clock.now())
    if status in (OrderStatus.PAID, OrderStatus.REFUND_PENDING):
        raise OrderAlreadyPaid(order_id)
    if status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
        raise OrderClosed(order_id, status.value)
    return order
