"""Roster (花名册) routes for regional admins (own office) and province operators."""

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from education_contracts import Grade
from eventplatform.clock import shanghai_today
from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlalchemy import func, or_, select

from identity_service.api.deps import AdminDep, ServicesDep
from identity_service.api.schemas import OfficeAccountRequest, RosterAddRequest, RosterCorrectionRequest
from identity_service.application import Actor
from identity_service.domain.errors import RosterEntryNotFound, UnknownOffice
from identity_service.domain.roster import validate_changes, validate_person
from identity_service.messages import warning_text
from identity_service.readmodels import RosterRow
from identity_service.roster_import import MAX_FILE_BYTES, RosterFileUnreadable, import_roster_file

router = APIRouter(prefix="/api/roster", tags=["roster"])


def roster_json(row: RosterRow) -> dict[str, Any]:
    return {
        "entry_id": row.entry_id, "learner_id": row.learner_id, "office_id": row.office_id,
        "name": row.name, "id_number": row.id_number, "gender": row.gender,
        "birth_date": row.birth_date.isoformat(), "employing_unit": row.employing_unit,
        "employing_unit_credit_code": row.credit_code, "credit_code_valid": row.credit_code_valid,
        "grade": row.grade, "grade_label": Grade(row.grade).label, "mobile": row.mobile,
        "status": row.status, "has_account": row.has_account,
    }


def _office_for(actor: Actor, office_id: str | None) -> str:
    chosen = office_id or actor.office_id
    if not chosen:
        raise UnknownOffice("the province operator must name an office")
    actor.ensure_office(chosen)
    return chosen


def _entry_json(services: Any, entry_id: UUID) -> dict[str, Any]:
    services.catch_up()
    with services.database.sessions() as session:
        row = session.get(RosterRow, str(entry_id))
    if row is None:
        raise RosterEntryNotFound(f"roster entry {entry_id} not in the read model")
    return roster_json(row)


@router.get("")
def search_roster(
    actor: AdminDep,
    services: ServicesDep,
    office_id: str | None = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    grade: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Search the roster of the admin's office (operators: any office, or all)."""
    query = select(RosterRow)
    chosen = office_id or actor.office_id
    if chosen:
        actor.ensure_office(chosen)
        query = query.where(RosterRow.office_id == chosen)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(RosterRow.name.like(pattern), RosterRow.id_number.like(pattern.upper()),
                                RosterRow.employing_unit.like(pattern)))
    if grade:
        query = query.where(RosterRow.grade == grade)
    if status:
        query = query.where(RosterRow.status == status)
    with services.database.sessions() as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(
            query.order_by(RosterRow.office_id, RosterRow.name, RosterRow.entry_id)
            .offset((page - 1) * page_size).limit(page_size)
        ).scalars().all()
    return {"total": total, "items": [roster_json(row) for row in rows]}


@router.post("", status_code=201)
def add_person(body: RosterAddRequest, actor: AdminDep, services: ServicesDep) -> dict[str, Any]:
    office_id = _office_for(actor, body.office_id)
    validated = validate_person(body.model_dump(exclude={"office_id"}),
                                shanghai_today(services.app.clock))
    entry = services.app.add_person(office_id, validated, actor)
    return {"entry": _entry_json(services, entry.id),
            "warnings": [warning_text(code) for code in validated.warnings]}


@router.post("/import")
def import_file(
    actor: AdminDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description=".xlsx or .csv roster file")],
    office_id: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Import a roster file: valid new rows are saved together, the rest reported by row."""
    chosen = _office_for(actor, office_id)
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileUnreadable("文件超过10MB，请分成多个文件导入。")
    report = import_roster_file(services.app, chosen, file.filename or "", content, actor,
                                shanghai_today(services.app.clock))
    services.catch_up()
    return asdict(report)


@router.get("/{entry_id}")
def get_entry(entry_id: UUID, actor: AdminDep, services: ServicesDep) -> dict[str, Any]:
    services.app.get_entry(entry_id, actor)
    return _entry_json(services, entry_id)


@router.patch("/{entry_id}")
def correct_entry(entry_id: UUID, body: RosterCorrectionRequest, actor: AdminDep,
                  services: ServicesDep) -> dict[str, Any]:
    """Correct a person's data; an activated learner's change is published to other services."""
    changes = validate_changes(body.model_dump(exclude_none=True))
    services.app.correct_entry(entry_id, changes, actor)
    warnings = [] if changes.get("credit_code_valid", True) else [warning_text("credit_code_check_failed")]
    return {"entry": _entry_json(services, entry_id), "warnings": warnings}


@router.post("/{entry_id}/leave")
def mark_left(entry_id: UUID, actor: AdminDep, services: ServicesDep) -> dict[str, Any]:
    services.app.mark_left(entry_id, actor)
    return {"entry": _entry_json(services, entry_id)}


@router.post("/{entry_id}/account", status_code=201)
def create_account(entry_id: UUID, body: OfficeAccountRequest, actor: AdminDep,
                   services: ServicesDep) -> dict[str, str]:
    """Create a learner account with an initial password the learner must change at first login."""
    entry = services.app.create_account_by_office(entry_id, body.initial_password, actor)
    services.catch_up()
    return {"learner_id": str(entry.learner_id)}
