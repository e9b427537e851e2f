"""Enrollment routes: open years, placing, listing and cancelling orders."""

import logging
from typing import Any
from uuid import UUID

from eventplatform.auth import Role
from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from enrollment_service.api.deps import CurrentPrincipal, LearnerId, WiringDep
from enrollment_service.api.views import order_view, year_option_view
from enrollment_service.domain import InvoiceDetails
from enrollment_service.domain.errors import OrderNotFound
from enrollment_service.readmodels import queries

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/enrollment", tags=["orders"])


class OrderBody(BaseModel):
    training_year: int = Field(ge=2000, le=2100)
    invoice_title: str = Field(max_length=200)
    invoice_credit_code: str = Field(max_length=40)
    invoice_email: str = Field(max_length=300)


@router.get("/years")
def open_years(learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    """List the years the learner can enroll in today, with prefilled invoice details."""
    app = wiring.application
    options = app.open_years()
    with wiring.database.sessions() as session:
        learner = queries.learner(session, learner_id)
        classes = {row.training_year: row.status for row in queries.classes_of(session, learner_id)}
    defaults = None
    if learner is not None:
        defaults = {
            "invoice_title": learner.employing_unit,
            "invoice_credit_code": learner.employing_unit_credit_code,
        }
    return {
        "today": app.today().isoformat(),
        "invoice_defaults": defaults,
        "years": [year_option_view(terms, classes.get(terms.training_year)) for terms in options],
    }


@router.post("/orders", status_code=status.HTTP_201_CREATED)
def place_order(body: OrderBody, learner_id: LearnerId, wiring: WiringDep, response: Response) -> dict[str, Any]:
    invoice = InvoiceDetails.parse(body.invoice_title, body.invoice_credit_code, body.invoice_email)
    if invoice.check_failed:
        logger.info("learner %s ordered with a credit code whose check character fails", learner_id)
    order_id, created = wiring.application.place_order(learner_id, body.training_year, invoice)
    if not created:
        response.status_code = status.HTTP_200_OK
    wiring.catch_up()
    return _order(wiring, order_id)


@router.get("/orders")
def list_orders(learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        return {"orders": [order_view(row) for row in queries.orders_of(session, learner_id)]}


@router.get("/orders/{order_id}")
def get_order(order_id: UUID, principal: CurrentPrincipal, wiring: WiringDep) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        row = queries.order(session, order_id)
    allowed = row is not None and (
        principal.role is Role.PROVINCE_OPERATOR or principal.is_learner(row.learner_id)
    )
    if row is None or not allowed:
        raise OrderNotFound(f"order {order_id} not visible to {principal.subject}")
    return order_view(row)


@router.post("/orders/{order_id}/cancel")
def cancel_order(order_id: UUID, learner_id: LearnerId, wiring: WiringDep) -> dict[str, Any]:
    wiring.application.cancel_order(learner_id, order_id)
    wiring.catch_up()
    return _order(wiring, order_id)


def _order(wiring: WiringDep, order_id: UUID) -> dict[str, Any]:
    with wiring.database.sessions() as session:
        row = queries.order(session, order_id)
    if row is None:
        raise OrderNotFound(f"order {order_id} not projected")
    return order_view(row)
