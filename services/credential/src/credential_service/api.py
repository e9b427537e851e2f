"""HTTP API: learners list and download certificates, anyone verifies, operators revoke."""

import logging
from typing import Annotated, Any
from uuid import UUID

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.clock import SHANGHAI
from eventplatform.errors import NotFound
from eventplatform.runtime import ServiceDefinition
from eventplatform.web import UserFacingError, UserMessage, install_error_handlers
from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, Field

from credential_service.application import Credential
from credential_service.certificate import CertificateDocument, CourseLine, render_pdf
from credential_service.domain import AlreadyRevoked, CertificateNotFound, InvalidReason
from credential_service.readmodels import (
    LearnerProfile,
    LedgerRow,
    certificate_by_code,
    certificates_of,
    certified_courses,
)
from credential_service.settings import CredentialSettings

logger = logging.getLogger(__name__)

ERROR_MESSAGES = {
    CertificateNotFound: UserMessage(404, "未找到该培训证明，请核对证明编号或验证码。"),
    AlreadyRevoked: UserMessage(409, "该培训证明已被撤销，无需重复操作。"),
    InvalidReason: UserMessage(422, "请填写撤销原因。"),
    NotFound: UserMessage(404, "请求的内容不存在。"),
}


class RevocationIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def create_api(definition: ServiceDefinition, verifier: TokenVerifier) -> FastAPI:
    application = definition.application
    database = definition.database
    settings = definition.settings
    assert isinstance(application, Credential) and isinstance(settings, CredentialSettings)
    assert database is not None

    api = FastAPI(title="Credential service")
    install_error_handlers(api, ERROR_MESSAGES)
    Caller = Annotated[Principal, Depends(principal_dependency(lambda _request: verifier))]

    def visible_row(session: Any, certificate_id: UUID, principal: Principal) -> LedgerRow:
        """Return the certificate row if the caller owns it or is a province operator."""
        row = session.get(LedgerRow, certificate_id)
        if row is None or row.issued_at is None:
            raise CertificateNotFound(f"certificate {certificate_id} not found")
        if principal.role is not Role.PROVINCE_OPERATOR and not principal.is_learner(row.learner_id):
            raise CertificateNotFound(f"certificate {certificate_id} not visible to {principal.subject}")
        return row

    @api.get("/api/credential/certificates")
    def my_certificates(principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.LEARNER)
        with database.sessions() as session:
            rows = certificates_of(session, principal.learner_id)
        return {"certificates": [summary(row, settings) for row in rows]}

    @api.get("/api/credential/certificates/{certificate_id}/pdf")
    def download(certificate_id: UUID, principal: Caller) -> Response:
        with database.sessions() as session:
            row = visible_row(session, certificate_id, principal)
            profile = session.get(LearnerProfile, row.learner_id)
            if profile is None:
                raise UserFacingError(409, "学员信息正在同步，请稍后再下载培训证明。", "profile_not_ready")
            courses = certified_courses(session, row.ledger_id)
        document = certificate_document(row, profile, courses, settings)
        pdf = render_pdf(document)
        logger.info("certificate %s rendered", certificate_id)
        return Response(
            pdf, media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{row.certificate_number}.pdf"'},
        )

    @api.get("/api/credential/classes/{class_id}/ledger")
    def ledger(class_id: UUID, principal: Caller) -> dict[str, Any]:
        found = application.ledger(class_id)
        allowed = principal.role is Role.PROVINCE_OPERATOR or (
            found is not None and principal.is_learner(found.learner_id)
        )
        if found is None or not allowed:
            raise NotFound(f"ledger of class {class_id} not found")
        return {
            "class_id": str(class_id),
            "training_year": found.training_year,
            "grade": found.grade,
            "requirement": found.requirement,
            "hours": found.hours(),
            "qualified": found.qualified,
            "certificate_id": str(found.id) if found.issued else None,
        }

    @api.get("/api/credential/verify/{code}")
    def verify(code: str) -> dict[str, Any]:
        with database.sessions() as session:
            row = certificate_by_code(session, code.strip().upper())
            profile = session.get(LearnerProfile, row.learner_id) if row is not None else None
        if row is None or row.issued_at is None:
            raise CertificateNotFound("no certificate with the given verification code")
        return verification(row, profile)

    @api.post("/api/credential/certificates/{certificate_id}/revocation")
    def revoke(certificate_id: UUID, body: RevocationIn, principal: Caller) -> dict[str, Any]:
        require_role(principal, Role.PROVINCE_OPERATOR)
        application.revoke(certificate_id, body.reason)
        if definition.projector is not None:
            definition.projector.catch_up()
        with database.sessions() as session:
            row = session.get(LedgerRow, certificate_id)
        assert row is not None  # the projector just applied the revocation
        return summary(row, settings)

    return api


def summary(row: LedgerRow, settings: CredentialSettings) -> dict[str, Any]:
    return {
        "certificate_id": str(row.ledger_id),
        "certificate_number": row.certificate_number,
        "class_id": str(row.class_id),
        "training_year": row.training_year,
        "issued_at": row.issued_at.isoformat() if row.issued_at else None,
        "status": "revoked" if row.revoked_at else "valid",
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "revocation_reason": row.revocation_reason,
        "hours": _hours(row),
        "verification_url": settings.verification_url(row.verification_code or ""),
        "download_url": f"/api/credential/certificates/{row.ledger_id}/pdf",
    }


def verification(row: LedgerRow, profile: LearnerProfile | None) -> dict[str, Any]:
    """Build the verification response: masked identity, unit, year, hours and status."""
    return {
        "status": "revoked" if row.revoked_at else "valid",
        "certificate_number": row.certificate_number,
        "learner_name": mask_name(profile.name) if profile else None,
        "masked_id_number": profile.masked_id_number if profile else None,
        "employing_unit": profile.employing_unit if profile else None,
        "training_year": row.training_year,
        "hours": _hours(row),
        "issued_on": row.issued_at.astimezone(SHANGHAI).date().isoformat() if row.issued_at else None,
        "revoked_on": row.revoked_at.astimezone(SHANGHAI).date().isoformat() if row.revoked_at else None,
        "revocation_reason": row.revocation_reason,
    }


def mask_name(name: str) -> str:
    """Keep the first character (usually the surname) and mask the rest: 张三丰 -> 张**."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def certificate_document(
    row: LedgerRow, profile: LearnerProfile, courses: list[tuple[Any, Any]], settings: CredentialSettings
) -> CertificateDocument:
    assert row.issued_at is not None and row.verification_code is not None
    return CertificateDocument(
        certificate_number=row.certificate_number or "",
        verification_code=row.verification_code,
        verification_url=settings.verification_url(row.verification_code),
        learner_name=profile.name,
        masked_id_number=profile.masked_id_number,
        employing_unit=profile.employing_unit,
        # The grade printed is the one fixed when the class opened, not today's.
        grade=row.grade or profile.grade,
        training_year=row.training_year,
        courses=[
            CourseLine(
                title=title.title if title else f"课程 {course.course_id}",
                category=course.category,
                credit_hours=course.credit_hours,
            )
            for course, title in courses
        ],
        hours=_hours(row),
        required={
            "political": row.required_political or 0,
            "general": row.required_general or 0,
            "job_skills": row.required_job_skills or 0,
        },
        issued_on=row.issued_at.astimezone(SHANGHAI).date(),
        revoked_on=row.revoked_at.astimezone(SHANGHAI).date() if row.revoked_at else None,
    )


def _hours(row: LedgerRow) -> dict[str, int]:
    return {
        "political": row.political_hours or 0,
        "general": row.general_hours or 0,
        "job_skills": row.job_skills_hours or 0,
    }
