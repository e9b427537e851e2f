"""Enrollment: year → order with invoice details → payment method → bank page →
return page that waits until the class has opened."""

import logging
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from portal_service.clients import ServiceError
from portal_service.pages import (
    LearnerSession,
    portal_of,
    recall_form,
    redirect,
    remember_form,
    render,
)
from portal_service.sessions import Session

logger = logging.getLogger(__name__)

router = APIRouter()

Text = Annotated[str, Form()]


@router.get("/enroll")
async def choose_year(request: Request, session: Session = LearnerSession) -> Response:
    downstream = portal_of(request).downstream
    body = await downstream.call("enrollment", "GET", "/api/enrollment/years", session.token)
    orders = await downstream.call("enrollment", "GET", "/api/enrollment/orders", session.token)
    pending = [order for order in orders.get("orders", []) if order.get("status") == "pending"]
    return render(request, "learner/enroll_years.html", active="enroll", years=body["years"],
                  today=body.get("today"), pending_orders=pending)


@router.get("/enroll/order")
async def order_form(request: Request, year: int, session: Session = LearnerSession) -> Response:
    body = await portal_of(request).downstream.call("enrollment", "GET", "/api/enrollment/years",
                                                    session.token)
    chosen = next((y for y in body["years"] if y["training_year"] == year), None)
    if chosen is None:
        session.flash("该年度当前不在报名时间内，请选择其他年度。")
        return redirect("/enroll")
    values = {"invoice_title": "", "invoice_credit_code": "", "invoice_email": "",
              **(body.get("invoice_defaults") or {})}
    typed = recall_form(session, "order")
    if typed.pop("training_year", None) == str(year):
        values.update(typed)
    return render(request, "learner/enroll_order.html", active="enroll", year=chosen,
                  values=values)


@router.post("/enroll/order")
async def place_order(
    request: Request,
    training_year: Annotated[int, Form()],
    invoice_title: Text,
    invoice_credit_code: Text,
    invoice_email: Text,
    session: Session = LearnerSession,
) -> Response:
    invoice = {
        "invoice_title": invoice_title.strip(),
        "invoice_credit_code": invoice_credit_code.strip().upper(),
        "invoice_email": invoice_email.strip(),
    }
    try:
        order = await portal_of(request).downstream.call(
            "enrollment", "POST", "/api/enrollment/orders", session.token,
            json={"training_year": training_year, **invoice},
        )
    except ServiceError:
        # The error handler flashes the message and returns to the order form,
        # which refills what the learner typed.
        remember_form(session, "order", {"training_year": str(training_year), **invoice})
        raise
    if order.get("credit_code_check_failed"):
        session.flash("统一社会信用代码的校验位不符，订单已提交，请核对发票信息是否正确。", "info")
    return redirect(f"/enroll/orders/{order['order_id']}")


@router.get("/enroll/orders/{order_id}")
async def confirm_order(request: Request, order_id: str, session: Session = LearnerSession) -> Response:
    """确认订单信息: the order and the payment methods."""
    downstream = portal_of(request).downstream
    order = await downstream.call("enrollment", "GET", f"/api/enrollment/orders/{order_id}",
                                  session.token)
    if order.get("status") == "paid":
        session.flash("该订单已支付，班级已开通。", "info")
        return redirect("/learner/classes")
    channels = await downstream.call("payment", "GET", "/api/payments/channels", session.token)
    return render(request, "learner/enroll_pay.html", active="enroll", order=order,
                  channels=channels.get("channels", []))


@router.post("/enroll/orders/{order_id}/cancel")
async def cancel_order(request: Request, order_id: str, session: Session = LearnerSession) -> Response:
    await portal_of(request).downstream.call(
        "enrollment", "POST", f"/api/enrollment/orders/{order_id}/cancel", session.token)
    session.flash("订单已取消。", "success")
    return redirect("/enroll")


@router.post("/enroll/orders/{order_id}/pay")
async def pay_order(request: Request, order_id: str, channel: Text,
                    session: Session = LearnerSession) -> Response:
    """立即支付: start the payment and send the browser to the bank's page."""
    try:
        payment = await portal_of(request).downstream.call(
            "payment", "POST", f"/api/payments/orders/{order_id}", session.token,
            json={"channel": channel},
        )
    except ServiceError as error:
        if error.code == "order_not_found":
            # The order may not have reached the payment service through Kafka yet.
            session.flash("订单正在同步，请稍等几秒后再点击“立即支付”。", "info")
            return redirect(f"/enroll/orders/{order_id}")
        raise
    pay_url = str(payment.get("pay_url", ""))
    if urlsplit(pay_url).scheme not in ("http", "https"):
        logger.warning("payment %s returned an unusable pay_url", payment.get("payment_id"))
        session.flash("银行支付页面暂时无法打开，请稍后重试。")
        return redirect(f"/enroll/orders/{order_id}")
    session.data["last_payment"] = {"order_id": order_id, "payment_id": payment["payment_id"]}
    session.changed = True
    return RedirectResponse(pay_url, status_code=303)


@router.get("/learner/payments/return")
async def payment_return(
    request: Request, order_id: str = "", payment_id: str = "", session: Session = LearnerSession
) -> Response:
    """Show the waiting page the bank redirects to; it polls instead of trusting the redirect."""
    last = session.data.get("last_payment") or {}
    order_id = order_id or last.get("order_id", "")
    payment_id = payment_id or last.get("payment_id", "")
    if not order_id or not payment_id:
        session.flash("没有找到待确认的支付，请在“报名培训”中查看订单状态。", "info")
        return redirect("/enroll")
    return render(request, "learner/enroll_wait.html", active="enroll", order_id=order_id,
                  payment_id=payment_id)


@router.get("/learner/api/payments/{payment_id}/progress")
async def payment_progress(
    request: Request, payment_id: str, order_id: str, session: Session = LearnerSession
) -> dict[str, Any]:
    """Polled by the waiting page: where the payment and the class opening stand."""
    downstream = portal_of(request).downstream
    payment = await downstream.call("payment", "GET", f"/api/payments/{payment_id}", session.token)
    status = payment.get("status")
    if status != "succeeded":
        return {"stage": "failed" if status == "failed" else "paying",
                "message": payment.get("status_label") or "等待银行确认支付结果"}
    order = await downstream.call("enrollment", "GET", f"/api/enrollment/orders/{order_id}",
                                  session.token)
    if order.get("status") != "paid":
        return {"stage": "opening", "message": "支付成功，正在开通班级"}
    view = await downstream.call("enrollment", "GET",
                                 f"/api/enrollment/classes/{order['class_id']}", session.token)
    if view.get("status") in ("learning", "qualified"):
        return {"stage": "opened", "url": f"/learner/classes/{order['class_id']}"}
    return {"stage": "opening", "message": "支付成功，正在开通班级"}
