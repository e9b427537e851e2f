"""Routes anyone may call: keys, regions, captcha, login, activation and password recovery."""

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from identity_service.api.deps import ServicesDep
from identity_service.api.errors import office_json
from identity_service.api.schemas import (
    ActivationCodeRequest,
    ActivationRequest,
    CodeSentResponse,
    LoginRequest,
    RecoveryCodeRequest,
    RecoveryResetRequest,
    TokenResponse,
)
from identity_service.domain.regions import PROVINCE_NAME
from identity_service.readmodels import OfficeRow
from identity_service.security.captcha import as_data_url
from identity_service.security.tokens import TokenIssuer

router = APIRouter()


def token_response(services: Any, token: str, role: str, must_change: bool) -> TokenResponse:
    issuer: TokenIssuer = services.flows.issuer
    return TokenResponse(access_token=token, expires_in=int(issuer.lifetime.total_seconds()),
                         role=role, must_change_password=must_change)


@router.get("/.well-known/jwks.json", tags=["keys"])
def jwks(services: ServicesDep) -> dict[str, Any]:
    """Public keys that verify access tokens (JWK Set)."""
    return services.flows.issuer.jwks()


@router.get("/api/offices", tags=["regions"])
def list_offices(services: ServicesDep, city_code: str | None = None) -> dict[str, Any]:
    """Regional exam offices with their contact cards."""
    query = select(OfficeRow).order_by(OfficeRow.city_code, OfficeRow.office_id)
    if city_code:
        query = query.where(OfficeRow.city_code == city_code)
    with services.database.sessions() as session:
        rows = session.execute(query).scalars().all()
    return {"offices": [office_json(row) for row in rows]}


@router.get("/api/regions", tags=["regions"])
def regions(services: ServicesDep) -> dict[str, Any]:
    """Province, cities and their offices as a tree."""
    offices = list_offices(services)["offices"]
    cities: dict[str, dict[str, Any]] = {}
    for office in offices:
        city = cities.setdefault(office["city_code"], {"city_code": office["city_code"],
                                                       "name": office["city_name"], "offices": []})
        city["offices"].append(office)
    return {"province": PROVINCE_NAME, "cities": list(cities.values())}


@router.get("/api/support", tags=["regions"])
def support(services: ServicesDep) -> dict[str, str]:
    return {"hotline": services.settings.support_hotline}


@router.post("/api/captcha", tags=["login"])
def new_captcha(services: ServicesDep) -> dict[str, Any]:
    """Issue a one-time image captcha. The answer is only in the image."""
    captcha_id, png = services.flows.captchas.issue()
    return {"captcha_id": captcha_id, "image": as_data_url(png),
            "expires_in": services.settings.captcha_ttl_seconds}


@router.post("/api/login", tags=["login"])
def login(body: LoginRequest, services: ServicesDep) -> TokenResponse:
    result = services.flows.login(body.login_name, body.password, body.captcha_id,
                                  body.captcha_answer)
    return token_response(services, result.access_token, result.subject.role.value,
                          result.subject.must_change_password)


@router.post("/api/activation/sms", tags=["activation"])
def activation_code(body: ActivationCodeRequest, services: ServicesDep) -> CodeSentResponse:
    sent = services.flows.send_activation_code(body.name, body.id_number, body.mobile)
    return CodeSentResponse(masked_mobile=sent.masked_mobile, expires_in=sent.expires_in)


@router.post("/api/activation", status_code=201, tags=["activation"])
def activate(body: ActivationRequest, services: ServicesDep) -> dict[str, str]:
    entry = services.flows.activate(body.name, body.id_number, body.mobile, body.sms_code,
                                    body.password)
    services.catch_up()
    return {"learner_id": str(entry.learner_id), "masked_id_number": entry.public_profile()["masked_id_number"]}


@router.post("/api/password-recovery/sms", tags=["recovery"])
def recovery_code(body: RecoveryCodeRequest, services: ServicesDep) -> CodeSentResponse:
    sent = services.flows.send_recovery_code(body.name, body.id_number)
    return CodeSentResponse(masked_mobile=sent.masked_mobile, expires_in=sent.expires_in)


@router.post("/api/password-recovery/reset", tags=["recovery"])
def recovery_reset(body: RecoveryResetRequest, services: ServicesDep) -> dict[str, str]:
    services.flows.reset_password(body.id_number, body.sms_code, body.new_password)
    return {"status": "ok"}


