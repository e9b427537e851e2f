"""``seed-demo``: regions, a demo roster, demo learner accounts and admin accounts.

Running it again changes nothing: offices compare their cards, people are
keyed by ID number, and accounts by ID number or user name.
"""

import logging

from eventplatform.auth import Role
from eventplatform.clock import shanghai_today
from eventplatform.runtime import ServiceDefinition

from identity_service.application import SYSTEM, Identity
from identity_service.demo_data import (
    DEMO_LEARNER_PASSWORD,
    DEMO_OFFICE_PASSWORD,
    DEMO_OPERATOR_PASSWORD,
    DEMO_OPERATOR_USERNAME,
    OFFICE_ADMINS,
    generated_roster,
    named_people,
    roster_csv,
)
from identity_service.domain.model import RosterEntry
from identity_service.domain.regions import REFERENCE_OFFICES
from identity_service.roster_import import import_roster_file

logger = logging.getLogger(__name__)


def seed_demo(definition: ServiceDefinition) -> int:
    """Seed the demo data; return the process exit code."""
    app = definition.application
    assert isinstance(app, Identity), "seed-demo needs the identity application"
    today = shanghai_today(app.clock)

    offices = app.register_offices(REFERENCE_OFFICES)

    named = named_people()
    by_office: dict[str, list[list[str]]] = {}
    for person in named:
        by_office.setdefault(person.office_id, []).append([
            person.name, person.id_number, person.unit.name, person.unit.credit_code,
            person.grade.label, person.mobile,
        ])
    for office_id, rows in generated_roster().items():
        by_office.setdefault(office_id, []).extend(rows)

    # The demo roster goes through the same file import the offices use.
    imported = 0
    data_dir = definition.settings.data_dir / "identity" / "demo-roster"
    data_dir.mkdir(parents=True, exist_ok=True)
    for office_id, rows in sorted(by_office.items()):
        content = roster_csv(rows)
        (data_dir / f"{office_id}.csv").write_bytes(content)
        report = import_roster_file(app, office_id, f"{office_id}.csv", content, SYSTEM, today)
        if report.rejected:
            logger.error("demo roster of %s rejected %d rows", office_id, len(report.rejected))
            return 1
        imported += report.imported

    activated = 0
    for person in named:
        if not person.activated:
            continue
        entry = app.repository.get(RosterEntry.create_id(person.id_number))
        if not entry.has_account:
            app.activate(entry, DEMO_LEARNER_PASSWORD, person.mobile)
            activated += 1

    admins = 0
    for office_id, username in OFFICE_ADMINS.items():
        admins += _ensure_admin(app, username, Role.REGIONAL_ADMIN, office_id, DEMO_OFFICE_PASSWORD)
    admins += _ensure_admin(app, DEMO_OPERATOR_USERNAME, Role.PROVINCE_OPERATOR, None,
                            DEMO_OPERATOR_PASSWORD)

    if definition.projector is not None:
        definition.projector.catch_up()
    print(f"seed-demo: {offices} offices registered or updated, {imported} people imported, "
          f"{activated} learner accounts activated, {admins} admin accounts created")
    return 0


def _ensure_admin(app: Identity, username: str, role: Role, office_id: str | None,
                  password: str) -> int:
    if app.has_admin(username):
        return 0
    app.create_admin(username=username, role=role, office_id=office_id, password=password,
                     must_change_password=False, actor=SYSTEM)
    return 1
