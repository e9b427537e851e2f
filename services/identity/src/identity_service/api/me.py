"""Routes of the logged-in user: own data (read only) and password change."""

from typing import Any
from uuid import UUID

from education_contracts import Grade
from eventplatform.auth import Role
from fastapi import APIRouter
from sqlalchemy import select

from identity_service.api.deps import PrincipalDep, ServicesDep
from identity_service.api.errors import office_json
from identity_service.api.public import token_response
from identity_service.api.schemas import PasswordChangeRequest, TokenResponse
from identity_service.domain.errors import AccountNotFound
from identity_service.domain.validation import mask_id_number, mask_mobile
from identity_service.readmodels import AdminRow, OfficeRow, RosterRow

router = APIRouter(prefix="/api/me", tags=["me"])


@router.get("")
def my_data(principal: PrincipalDep, services: ServicesDep) -> dict[str, Any]:
    """Return the caller's own data. Learners cannot change it because their office corrects it."""
    with services.database.sessions() as session:
        if principal.role is not Role.LEARNER:
            admin = session.get(AdminRow, principal.subject)
            if admin is None:
                raise AccountNotFound(f"admin {principal.subject} not in the read model")
            return {"role": admin.role, "username": admin.username, "office_id": admin.office_id}
        row = _learner_row(session, principal.learner_id)
        office = session.get(OfficeRow, row.office_id)
    return {
        "role": Role.LEARNER.value,
        "learner_id": row.learner_id,
        "name": row.name,
        "masked_id_number": mask_id_number(row.id_number),
        "gender": row.gender,
        "birth_date": row.birth_date.isoformat(),
        "grade": row.grade,
        "grade_label": Grade(row.grade).label,
        "employing_unit": row.employing_unit,
        "employing_unit_credit_code": row.credit_code,
        "masked_mobile": mask_mobile(row.mobile),
        "office": office_json(office) if office is not None else None,
        "status": row.status,
    }


@router.post("/password")
def change_password(body: PasswordChangeRequest, principal: PrincipalDep,
                    services: ServicesDep) -> TokenResponse:
    """Change the password; the response carries a fresh token without the forced-change flag."""
    if principal.role is Role.LEARNER:
        with services.database.sessions() as session:
            account_id = UUID(_learner_row(session, principal.learner_id).entry_id)
    else:
        account_id = UUID(principal.subject)
    subject = services.app.change_password(account_id, body.current_password, body.new_password)
    result = services.flows.token_for(subject)
    return token_response(services, result.access_token, subject.role.value,
                          subject.must_change_password)


def _learner_row(session: Any, learner_id: UUID | None) -> RosterRow:
    row = session.execute(
        select(RosterRow).where(RosterRow.learner_id == str(learner_id))
    ).scalar_one_or_none()
    if row is None:
        raise AccountNotFound(f"learner {learner_id} not in the read model")
    return row
