"""HTTP face of the simulated bank: merchant API, hosted payment page and admin switches."""

import html
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from banksim.bank import Bank, BankPayment, UnknownMerchant
from banksim.signing import verify

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature"

CHANNEL_LABELS = {"unionpay": "银联在线支付", "wechat": "微信支付", "alipay": "支付宝"}
STATUS_LABELS = {"pending": "待支付", "paid": "支付成功", "failed": "支付失败", "cancelled": "已取消"}
REQUIRED_CREATE_FIELDS = (
    "merchant_id", "payment_id", "order_id", "order_number", "amount_fen", "channel", "notify_url", "return_url",
)


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(bank: Bank) -> FastAPI:
    app = FastAPI(title="Bank simulator (development only)")
    app.state.bank = bank

    @app.get("/healthz/live")
    def live() -> dict[str, str]:
        return {"status": "ok"}

    # --- merchant API ---------------------------------------------------------

    @app.post("/api/merchant/payments", status_code=201, response_model=None)
    async def create_payment(request: Request) -> JSONResponse | dict[str, Any]:
        fields = await request.json()
        if not isinstance(fields, dict) or any(name not in fields for name in REQUIRED_CREATE_FIELDS):
            logger.warning("rejected payment creation: missing fields")
            return error(400, "invalid_request", "请求缺少必填字段。")
        rejected = _check_signature(bank, fields, request.headers.get(SIGNATURE_HEADER))
        if rejected is not None:
            return rejected
        try:
            amount = int(fields["amount_fen"])
        except (TypeError, ValueError):
            amount = 0
        if amount <= 0:
            logger.warning("rejected payment creation for %s: invalid amount", fields.get("payment_id"))
            return error(400, "invalid_amount", "支付金额必须为正整数（单位：分）。")

        payment = bank.create_payment(fields)
        return {
            "bank_payment_id": payment.bank_payment_id,
            "pay_url": f"{bank.settings.public_base_url.rstrip('/')}/pay/{payment.bank_payment_id}",
        }

    @app.get("/api/merchant/payments/{payment_id}", response_model=None)
    def query_payment(payment_id: str, merchant_id: str, request: Request) -> JSONResponse | dict[str, Any]:
        fields = {"merchant_id": merchant_id}
        rejected = _check_signature(bank, fields, request.headers.get(SIGNATURE_HEADER))
        if rejected is not None:
            return rejected
        payment = bank.find(merchant_id, payment_id)
        if payment is None:
            return error(404, "payment_not_found", "银行无此笔支付记录。")
        return bank.status_document(payment)

    # --- hosted payment page ----------------------------------------------------
    # The payer's actions are async routes: they schedule the notification on the event loop.

    @app.get("/pay/{bank_payment_id}", response_class=HTMLResponse)
    def payment_page(bank_payment_id: str) -> HTMLResponse:
        payment = bank.payments.get(bank_payment_id)
        if payment is None:
            return HTMLResponse(_page("支付订单不存在", "<p>未找到该支付订单，请返回商户网站重新发起支付。</p>"), 404)
        return HTMLResponse(_payment_page(payment))

    @app.post("/pay/{bank_payment_id}/confirm", response_model=None)
    async def confirm(bank_payment_id: str) -> HTMLResponse | RedirectResponse:
        return _payer_action(bank, bank_payment_id, bank.confirm)

    @app.post("/pay/{bank_payment_id}/cancel", response_model=None)
    async def cancel(bank_payment_id: str) -> HTMLResponse | RedirectResponse:
        return _payer_action(bank, bank_payment_id, bank.cancel)

    # --- admin (development only) ---------------------------------------------

    @app.get("/admin/switches")
    def get_switches() -> dict[str, Any]:
        return vars(bank.switches)

    @app.put("/admin/switches", response_model=None)
    async def set_switches(request: Request) -> JSONResponse | dict[str, Any]:
        changes = await request.json()
        try:
            if not isinstance(changes, dict):
                raise ValueError("body must be a JSON object")
            bank.switches.update(changes)
        except (TypeError, ValueError) as problem:
            logger.warning("rejected switch change: %s", problem)
            return error(422, "invalid_switch", "开关设置无效：可设置 fail_payments、notification_delay_seconds、"
                                                "drop_notifications、duplicate_notifications。")
        logger.info("switches now %s", vars(bank.switches))
        return vars(bank.switches)

    @app.get("/admin/payments")
    def list_payments() -> dict[str, Any]:
        return {"payments": [_payment_json(payment) for payment in bank.payments.values()],
                "deliveries": [vars(delivery) for delivery in bank.deliveries]}

    @app.post("/admin/payments/{bank_payment_id}/renotify", response_model=None)
    async def renotify(bank_payment_id: str) -> JSONResponse | dict[str, str]:
        payment = bank.payments.get(bank_payment_id)
        if payment is None or payment.status == "pending":
            return error(404, "payment_not_final", "无此笔已完成的支付，无法重发通知。")
        bank.schedule_notification(payment)
        return {"result": "scheduled"}

    return app


def _check_signature(bank: Bank, fields: dict[str, Any], signature: str | None) -> JSONResponse | None:
    try:
        key = bank.key_of(str(fields.get("merchant_id")))
    except UnknownMerchant:
        logger.warning("rejected merchant call: unknown merchant id")
        return error(401, "unknown_merchant", "商户号不存在。")
    if not verify(fields, signature, key):
        logger.warning("rejected merchant call of %s: invalid signature", fields.get("merchant_id"))
        return error(401, "invalid_signature", "签名无效。")
    return None


def _payer_action(bank: Bank, bank_payment_id: str, action: Any) -> HTMLResponse | RedirectResponse:
    payment = bank.payments.get(bank_payment_id)
    if payment is None:
        return HTMLResponse(_page("支付订单不存在", "<p>未找到该支付订单，请返回商户网站重新发起支付。</p>"), 404)
    action(payment)
    # Repeated clicks land on the merchant's return page again without a second charge.
    return RedirectResponse(payment.return_url, status_code=303)


def _payment_json(payment: BankPayment) -> dict[str, Any]:
    data = dict(vars(payment))
    data["created_at"] = payment.created_at.isoformat()
    data["paid_at"] = payment.paid_at.isoformat() if payment.paid_at else None
    return data


def _payment_page(payment: BankPayment) -> str:
    amount = f"¥{payment.amount_fen // 100:,}.{payment.amount_fen % 100:02d}"
    channel = CHANNEL_LABELS.get(payment.channel, payment.channel)
    rows = (
        f"<tr><th>订单号</th><td>{html.escape(payment.order_number)}</td></tr>"
        f"<tr><th>支付金额</th><td class='amount'>{html.escape(amount)}</td></tr>"
        f"<tr><th>支付方式</th><td>{html.escape(channel)}</td></tr>"
        f"<tr><th>状态</th><td>{STATUS_LABELS.get(payment.status, payment.status)}</td></tr>"
    )
    if payment.status == "pending":
        actions = (
            f"<form method='post' action='/pay/{payment.bank_payment_id}/confirm'>"
            "<button type='submit' class='pay'>确认支付</button></form>"
            f"<form method='post' action='/pay/{payment.bank_payment_id}/cancel'>"
            "<button type='submit'>取消</button></form>"
        )
    else:
        actions = f"<p><a href='{html.escape(payment.return_url, quote=True)}'>返回商户网站</a></p>"
    body = f"<table>{rows}</table><div class='actions'>{actions}</div>"
    return _page("模拟银行收银台", body)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 32rem; margin: 3rem auto; }}
th {{ text-align: left; padding-right: 1rem; }} td.amount {{ font-size: 1.5rem; color: #c00; }}
.actions form {{ display: inline-block; margin: 1rem 1rem 0 0; }}
button {{ font-size: 1rem; padding: .5rem 1.5rem; }} button.pay {{ background: #c00; color: #fff; border: 0; }}
.note {{ color: #888; font-size: .8rem; margin-top: 2rem; }}
</style></head>
<body><h1>{html.escape(title)}</h1>{body}
<p class="note">本页面为开发环境的模拟银行，不会产生真实扣款。</p></body></html>"""
