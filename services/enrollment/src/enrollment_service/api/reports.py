"""Report routes: completion of a training year by employing unit, for an office or the province."""

import logging
from typing import Annotated, Any

from eventplatform.auth import Principal, Role, require_role
from eventplatform.web import UserFacingError
from fastapi import APIRouter, Query

from enrollment_service.api.deps import CurrentPrincipal, WiringDep
from enrollment_service.readmodels import report

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/enrollment/reports", tags=["reports"])


@router.get("/completion")
def completion_report(
    principal: CurrentPrincipal,
    wiring: WiringDep,
    training_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    office_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Count registered, enrolled, paid, credited hours and qualified by unit for one year."""
    require_role(principal, Role.REGIONAL_ADMIN, Role.PROVINCE_OPERATOR)
    scope = report_scope(principal, office_id or None)
    year = training_year or wiring.application.today().year

    with wiring.database.sessions() as session:
        rows = report.completion_by_unit(session, year, scope)
    logger.info("completion report %s for office %s read by %s: %d units",
                year, scope or "province", principal.subject, len(rows))
    return {
        "training_year": year,
        "office_id": scope,
        "rows": [row.to_dict() for row in rows],
        "totals": report.totals(rows),
    }


def report_scope(principal: Principal, office_id: str | None) -> str | None:
    """Return the office the caller may see (``None`` for the whole province).

    A regional admin may read only the office in their token. A request for
    another office is rejected rather than silently narrowed, so a wrong link shows up.
    """
    if principal.role is Role.PROVINCE_OPERATOR:
        return office_id

    own_office = principal.office_id
    if not own_office:
        logger.warning("regional admin %s has no office in the token", principal.subject)
        raise UserFacingError(403, "您的账号未关联工考办，无法查看统计数据，请联系省级平台运营人员。",
                              "office_missing")
    if office_id is not None and office_id != own_office:
        logger.info("regional admin %s of office %s requested office %s",
                    principal.subject, own_office, office_id)
        raise UserFacingError(403, "您只能查看本工考办所辖地区的统计数据，请选择本工考办后重试。",
                              "other_office")
    return own_office
