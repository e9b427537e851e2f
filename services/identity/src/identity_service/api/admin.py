"""Admin account routes (province operators) and the development-only helpers."""

from typing import Any

from eventplatform.auth import Role
from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from identity_service.api.deps import OperatorDep, ServicesDep
from identity_service.api.schemas import AdminAccountRequest
from identity_service.readmodels import AdminRow, CaptchaRow, SmsOutboxRow

router = APIRouter(tags=["admin"])


def _admin_json(row: AdminRow) -> dict[str, Any]:
    return {"account_id": row.account_id, "username": row.username, "role": row.role,
            "office_id": row.office_id}


@router.post("/api/admin-accounts", status_code=201)
def create_admin(body: AdminAccountRequest, actor: OperatorDep, services: ServicesDep) -> dict[str, Any]:
    account = services.app.create_admin(username=body.username, role=Role(body.role),
                                        office_id=body.office_id, password=body.initial_password,
                                        must_change_password=True, actor=actor)
    services.catch_up()
    return {"account_id": str(account.id), "username": account.username, "role": account.role,
            "office_id": account.office_id}


@router.get("/api/admin-accounts")
def list_admins(actor: OperatorDep, services: ServicesDep) -> dict[str, Any]:
    with services.database.sessions() as session:
        rows = session.execute(select(AdminRow).order_by(AdminRow.username)).scalars().all()
    return {"items": [_admin_json(row) for row in rows]}


@router.get("/api/dev/sms-outbox", tags=["development"])
def sms_outbox(services: ServicesDep, mobile: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Messages the development SMS backend stored; 404 outside development and tests."""
    if not services.settings.dev_endpoints_enabled:
        raise HTTPException(status_code=404)
    query = select(SmsOutboxRow).order_by(SmsOutboxRow.id.desc()).limit(min(max(limit, 1), 200))
    if mobile:
        query = query.where(SmsOutboxRow.mobile == mobile)
    with services.database.sessions() as session:
        rows = session.execute(query).scalars().all()
    return {"messages": [{"mobile": row.mobile, "text": row.text, "sent_at": row.sent_at.isoformat()}
                         for row in rows]}


@router.get("/api/dev/captchas/latest", tags=["development"])
def latest_captcha(services: ServicesDep) -> dict[str, str]:
    """Answer of the captcha issued last, for browser tests and demos; 404 outside development and tests.

    The portal keeps the captcha id in its encrypted session, so a browser test
    cannot name it; with one browser logging in at a time the newest is the one.
    """
    if not services.settings.dev_endpoints_enabled:
        raise HTTPException(status_code=404)
    with services.database.sessions() as session:
        row = session.scalars(select(CaptchaRow).order_by(CaptchaRow.expires_at.desc()).limit(1)).first()
    if row is None:
        raise HTTPException(status_code=404)
    return {"captcha_id": row.captcha_id, "answer": row.answer}
