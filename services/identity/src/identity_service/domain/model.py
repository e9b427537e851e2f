"""Aggregates of the identity service: offices, roster entries with their learner account, admins.

A person's roster entry and learner account are one aggregate, keyed by the
ID number, so a repeated import or activation finds the existing entry. The
``learner_id`` that other services see is a separate random id: it cannot be
turned back into an ID number.
"""

from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from identity_service.domain.errors import AlreadyActivated, PersonLeft
from identity_service.domain.regions import OfficeCard
from identity_service.domain.validation import IdNumber, mask_id_number

ROSTER_NAMESPACE = UUID("0b7f5d1c-3e2a-4c8e-9f61-6a0d2b9e4c17")
ADMIN_NAMESPACE = UUID("5c2e8a90-7d14-4b3f-8e2c-1f9a6b3d7e05")
OFFICE_NAMESPACE = UUID("9e41c7b2-0a3d-4f85-b6e9-2d7c5a1f8b36")

EDITABLE_FIELDS = ("name", "employing_unit", "credit_code", "credit_code_valid", "grade", "mobile")

ACTIVE = "active"
LEFT = "left"


class Office(Aggregate):
    """A regional exam office with its contact card."""

    class Registered(Aggregate.Created):
        office_id: str
        card: dict[str, Any]

    class CardUpdated(Aggregate.Event):
        card: dict[str, Any]

    @staticmethod
    def create_id(office_id: str) -> UUID:
        return uuid5(OFFICE_NAMESPACE, office_id)

    @event(Registered)
    def __init__(self, office_id: str, card: dict[str, Any]) -> None:
        self.office_id = office_id
        self.card = card

    @event(CardUpdated)
    def update_card(self, card: dict[str, Any]) -> None:
        self.card = card

    @staticmethod
    def card_of(office: OfficeCard) -> dict[str, Any]:
        return {
            "office_id": office.office_id,
            "city_code": office.city_code,
            "city_name": office.city_name,
            "name": office.name,
            "address": office.address,
            "phone": office.phone,
            "contact_person": office.contact_person,
            "id_prefixes": list(office.id_prefixes),
        }


class RosterEntry(Aggregate):
    """One person on a regional office's roster (花名册), and their learner account once activated."""

    class Added(Aggregate.Created):
        id_number: str
        learner_id: str
        office_id: str
        gender: str
        birth_date: str
        person: dict[str, Any]
        added_by: str

    class Corrected(Aggregate.Event):
        changes: dict[str, Any]
        profile: dict[str, Any]
        has_account: bool
        corrected_by: str

    class MarkedLeft(Aggregate.Event):
        profile: dict[str, Any]
        has_account: bool
        marked_by: str

    class Activated(Aggregate.Event):
        password_hash: str
        mobile: str
        phone_confirmed: bool
        must_change_password: bool
        activated_by: str
        profile: dict[str, Any]

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        reason: str

    @staticmethod
    def create_id(id_number: str) -> UUID:
        return uuid5(ROSTER_NAMESPACE, id_number)

    @classmethod
    def add(cls, *, id_number: IdNumber, office_id: str, person: dict[str, Any], added_by: str
            ) -> "RosterEntry":
        """Add a person; ``person`` holds the editable fields (see ``EDITABLE_FIELDS``)."""
        return cls(
            id_number=id_number.value,
            learner_id=str(uuid4()),
            office_id=office_id,
            gender=id_number.gender,
            birth_date=id_number.birth_date.isoformat(),
            person={name: person[name] for name in EDITABLE_FIELDS},
            added_by=added_by,
        )

    @event(Added)
    def __init__(self, id_number: str, learner_id: str, office_id: str, gender: str,
                 birth_date: str, person: dict[str, Any], added_by: str) -> None:
        self.id_number = id_number
        self.learner_id = UUID(learner_id)
        self.office_id = office_id
        self.gender = gender
        self.birth_date = birth_date
        self.person = dict(person)
        self.status = ACTIVE
        self.password_hash = ""
        self.must_change_password = False
        self.phone_confirmed = False

    # --- queries -----------------------------------------------------------

    @property
    def has_account(self) -> bool:
        return bool(self.password_hash)

    @property
    def name(self) -> str:
        return str(self.person["name"])

    @property
    def mobile(self) -> str:
        return str(self.person.get("mobile") or "")

    def matches(self, name: str) -> bool:
        return self.status == ACTIVE and self.name == " ".join(name.split())

    def same_person(self, person: dict[str, Any]) -> bool:
        return all(self.person.get(name) == person.get(name) for name in EDITABLE_FIELDS)

    def public_profile(self) -> dict[str, Any]:
        """Profile that may leave the service: no full ID number, no phone."""
        return {
            "learner_id": str(self.learner_id),
            "name": self.name,
            "masked_id_number": mask_id_number(self.id_number),
            "gender": self.gender,
            "birth_year": int(self.birth_date[:4]),
            "grade": self.person["grade"],
            "employing_unit": self.person["employing_unit"],
            "employing_unit_credit_code": self.person["credit_code"],
            "region_office_id": self.office_id,
            "status": self.status,
        }

    # --- roster commands ---------------------------------------------------

    def correct(self, changes: dict[str, Any], corrected_by: str) -> bool:
        """Apply an office's correction; return False when nothing changes."""
        if self.status == LEFT:
            raise PersonLeft(f"roster entry {self.id} is marked as left")
        changed = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS and self.person.get(k) != v}
        if not changed:
            return False
        profile = {**self.public_profile(), **_public_fields(changed)}
        self._corrected(changes=changed, profile=profile, has_account=self.has_account,
                        corrected_by=corrected_by)
        return True

    @event(Corrected)
    def _corrected(self, changes: dict[str, Any], profile: dict[str, Any], has_account: bool,
                   corrected_by: str) -> None:
        self.person.update(changes)
        if "mobile" in changes:
            self.phone_confirmed = False

    def mark_left(self, marked_by: str) -> bool:
        if self.status == LEFT:
            return False
        profile = {**self.public_profile(), "status": LEFT}
        self._marked_left(profile=profile, has_account=self.has_account, marked_by=marked_by)
        return True

    @event(MarkedLeft)
    def _marked_left(self, profile: dict[str, Any], has_account: bool, marked_by: str) -> None:
        self.status = LEFT

    # --- account commands --------------------------------------------------

    def activate(self, *, password_hash: str, mobile: str, phone_confirmed: bool,
                 must_change_password: bool, activated_by: str) -> None:
        if self.status == LEFT:
            raise PersonLeft(f"roster entry {self.id} is marked as left")
        if self.has_account:
            raise AlreadyActivated(f"roster entry {self.id} already has an account")
        self._activated(password_hash=password_hash, mobile=mobile or self.mobile,
                        phone_confirmed=phone_confirmed,
                        must_change_password=must_change_password, activated_by=activated_by,
                        profile=self.public_profile())

    @event(Activated)
    def _activated(self, password_hash: str, mobile: str, phone_confirmed: bool,
                   must_change_password: bool, activated_by: str, profile: dict[str, Any]) -> None:
        self.password_hash = password_hash
        self.person["mobile"] = mobile
        self.phone_confirmed = phone_confirmed
        self.must_change_password = must_change_password

    @event(PasswordChanged)
    def change_password(self, password_hash: str, reason: str) -> None:
        self.password_hash = password_hash
        self.must_change_password = False


class AdminAccount(Aggregate):
    """A regional admin (one office) or a province operator."""

    class Created(Aggregate.Created):
        username: str
        role: str
        office_id: str | None
        password_hash: str
        must_change_password: bool
        created_by: str

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        reason: str

    @staticmethod
    def create_id(username: str) -> UUID:
        return uuid5(ADMIN_NAMESPACE, username)

    @event(Created)
    def __init__(self, username: str, role: str, office_id: str | None, password_hash: str,
                 must_change_password: bool, created_by: str) -> None:
        self.username = username
        self.role = role
        self.office_id = office_id
        self.password_hash = password_hash
        self.must_change_password = must_change_password

    @event(PasswordChanged)
    def change_password(self, password_hash: str, reason: str) -> None:
        self.password_hash = password_hash
        self.must_change_password = False


def _public_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Map changed roster fields onto ``public_profile`` keys; the phone never leaves."""
    mapping = {"name": "name", "grade": "grade", "employing_unit": "employing_unit",
               "credit_code": "employing_unit_credit_code"}
    return {mapping[key]: value for key, value in changes.items() if key in mapping}
