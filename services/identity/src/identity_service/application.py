"""The identity write model: offices, roster entries with learner accounts, admin accounts."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventplatform.auth import Role
from eventplatform.clock import Clock, shanghai_today
from eventplatform.errors import Conflict
from eventplatform.store import ServiceApplication
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from identity_service.domain.errors import (
    AccountNotFound,
    AlreadyOnRoster,
    NotOnRoster,
    OfficeForbidden,
    RosterEntryNotFound,
    UnknownOffice,
    UsernameTaken,
    WrongPassword,
)
from identity_service.domain.model import AdminAccount, Office, RosterEntry
from identity_service.domain.regions import OfficeCard
from identity_service.domain.roster import ValidatedPerson
from identity_service.domain.validation import check_password_strength, parse_id_number
from identity_service.security.passwords import hash_password, verify_password
from identity_service.security.tokens import TokenSubject
from identity_service.settings import IdentitySettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """The caller of a command. ``office_id`` None means the province operator (every office)."""

    account_id: str
    office_id: str | None

    def ensure_office(self, office_id: str) -> None:
        if self.office_id is not None and self.office_id != office_id:
            raise OfficeForbidden(f"actor {self.account_id} may not act for office {office_id}")


SYSTEM = Actor(account_id="system", office_id=None)


@dataclass
class ImportOutcome:
    """Result of saving one file's valid rows. ``conflicts`` maps row numbers to reason codes."""

    imported: int = 0
    unchanged: int = 0
    conflicts: dict[int, str] = field(default_factory=dict)


class ImportRaced(Conflict):
    """Another writer added one of the file's people between the check and the save."""


class Identity(ServiceApplication):
    name = "identity"

    def __init__(self, settings: IdentitySettings, clock: Clock) -> None:
        super().__init__(settings.event_store_url)
        self.clock = clock

    # --- offices -------------------------------------------------------------

    def register_offices(self, cards: Iterable[OfficeCard]) -> int:
        """Register or update offices from reference cards; return how many changed."""
        changed = []
        for card in cards:
            data = Office.card_of(card)
            try:
                office = self.repository.get(Office.create_id(card.office_id))
            except AggregateNotFoundError:
                changed.append(Office(office_id=card.office_id, card=data))
                continue
            if office.card != data:
                office.update_card(data)
                changed.append(office)
        if changed:
            self.save(*changed)
        return len(changed)

    def ensure_office_exists(self, office_id: str) -> None:
        if Office.create_id(office_id) not in self.repository:
            raise UnknownOffice(f"office {office_id} does not exist")

    # --- roster ----------------------------------------------------------------

    def add_person(self, office_id: str, validated: ValidatedPerson, actor: Actor) -> RosterEntry:
        actor.ensure_office(office_id)
        self.ensure_office_exists(office_id)
        existing = self._find_entry(validated.id_number.value)
        if existing is not None:
            raise AlreadyOnRoster(existing.office_id)
        entry = RosterEntry.add(id_number=validated.id_number, office_id=office_id,
                                person=validated.person, added_by=actor.account_id)
        self.save(entry)
        logger.info("office %s added roster entry %s", office_id, entry.id)
        return entry

    def import_people(self, office_id: str, rows: Sequence[tuple[int, ValidatedPerson]],
                      actor: Actor) -> ImportOutcome:
        """Add every new person of one file in a single transaction.

        People already on this office's roster count as unchanged, so the same
        file imported again adds nothing. People on another office's roster are
        reported as conflicts.
        """
        actor.ensure_office(office_id)
        self.ensure_office_exists(office_id)
        outcome = ImportOutcome()
        new_entries = []
        for row_number, validated in rows:
            existing = self._find_entry(validated.id_number.value)
            if existing is None:
                new_entries.append(RosterEntry.add(id_number=validated.id_number,
                                                   office_id=office_id, person=validated.person,
                                                   added_by=actor.account_id))
            elif existing.office_id != office_id:
                outcome.conflicts[row_number] = "on_other_roster"
            else:
                outcome.unchanged += 1
        if new_entries:
            try:
                self.save(*new_entries)
            except IntegrityError:
                raise ImportRaced(f"concurrent roster change while importing for {office_id}") from None
        outcome.imported = len(new_entries)
        logger.info("office %s imported %d roster entries (%d unchanged, %d conflicts)",
                    office_id, outcome.imported, outcome.unchanged, len(outcome.conflicts))
        return outcome

    def correct_entry(self, entry_id: UUID, changes: dict[str, Any], actor: Actor) -> RosterEntry:
        entry = self.get_entry(entry_id, actor)
        if entry.correct(changes, corrected_by=actor.account_id):
            self.save(entry)
            logger.info("roster entry %s corrected: %s", entry_id, sorted(changes))
        return entry

    def mark_left(self, entry_id: UUID, actor: Actor) -> RosterEntry:
        entry = self.get_entry(entry_id, actor)
        if entry.mark_left(marked_by=actor.account_id):
            self.save(entry)
            logger.info("roster entry %s marked as left", entry_id)
        return entry

    def get_entry(self, entry_id: UUID, actor: Actor) -> RosterEntry:
        try:
            entry = self.repository.get(entry_id)
        except AggregateNotFoundError:
            raise RosterEntryNotFound(f"roster entry {entry_id} not found") from None
        if not isinstance(entry, RosterEntry):
            raise RosterEntryNotFound(f"{entry_id} is not a roster entry")
        actor.ensure_office(entry.office_id)
        return entry

    def _find_entry(self, id_number: str) -> RosterEntry | None:
        try:
            return self.repository.get(RosterEntry.create_id(id_number))
        except AggregateNotFoundError:
            return None

    # --- learner accounts -------------------------------------------------------

    def find_on_roster(self, name: str, id_number: str) -> RosterEntry:
        """Return the active entry matching name and ID number, or raise ``NotOnRoster``."""
        parsed = parse_id_number(id_number, shanghai_today(self.clock))
        entry = self._find_entry(parsed.value)
        if entry is None or not entry.matches(name):
            raise NotOnRoster(parsed.region_prefix)
        return entry

    def activate(self, entry: RosterEntry, password: str, mobile: str) -> RosterEntry:
        """Activate the account of a person whose phone was just confirmed by SMS."""
        check_password_strength(password, entry.id_number)
        entry.activate(password_hash=hash_password(password), mobile=mobile, phone_confirmed=True,
                       must_change_password=False, activated_by="self")
        self.save(entry)
        logger.info("learner %s activated an account", entry.learner_id)
        return entry

    def create_account_by_office(self, entry_id: UUID, initial_password: str,
                                 actor: Actor) -> RosterEntry:
        entry = self.get_entry(entry_id, actor)
        check_password_strength(initial_password, entry.id_number)
        entry.activate(password_hash=hash_password(initial_password), mobile="",
                       phone_confirmed=False, must_change_password=True,
                       activated_by=actor.account_id)
        self.save(entry)
        logger.info("account of learner %s created by %s", entry.learner_id, actor.account_id)
        return entry

    def reset_password(self, id_number: str, new_password: str) -> RosterEntry:
        entry = self._find_entry(id_number.strip().upper())
        if entry is None or not entry.has_account:
            raise AccountNotFound("no learner account for the reset")
        check_password_strength(new_password, entry.id_number)
        entry.change_password(password_hash=hash_password(new_password), reason="reset")
        self.save(entry)
        logger.info("learner %s reset the password", entry.learner_id)
        return entry

    # --- admin accounts -----------------------------------------------------------

    def create_admin(self, *, username: str, role: Role, office_id: str | None, password: str,
                     must_change_password: bool, actor: Actor) -> AdminAccount:
        if role is Role.REGIONAL_ADMIN:
            if not office_id:
                raise UnknownOffice("a regional admin needs an office")
            self.ensure_office_exists(office_id)
        else:
            office_id = None
        if AdminAccount.create_id(username) in self.repository:
            raise UsernameTaken(f"admin user name {username} is taken")
        check_password_strength(password, username)
        account = AdminAccount(username=username, role=role.value, office_id=office_id,
                               password_hash=hash_password(password),
                               must_change_password=must_change_password,
                               created_by=actor.account_id)
        self.save(account)
        logger.info("admin account %s (%s) created by %s", account.id, role.value, actor.account_id)
        return account

    def has_admin(self, username: str) -> bool:
        return AdminAccount.create_id(username) in self.repository

    # --- login and passwords ----------------------------------------------------

    def authenticate(self, login_name: str, password: str) -> tuple[TokenSubject | None, Any]:
        """Check a password; return the token subject (None on failure) and the account found."""
        account = self._account_for_login(login_name.strip())
        password_hash = account.password_hash if account is not None else None
        # Verify before looking at ``account`` so an unknown login name costs the same time.
        matched = verify_password(password_hash, password)
        if account is None or not matched:
            return None, account
        return token_subject(account), account

    def change_password(self, account_id: UUID, current: str, new: str) -> TokenSubject:
        account = self.repository.get(account_id)
        if not verify_password(account.password_hash, current):
            raise WrongPassword(f"wrong current password for account {account_id}")
        login_name = account.id_number if isinstance(account, RosterEntry) else account.username
        check_password_strength(new, login_name)
        account.change_password(password_hash=hash_password(new), reason="change")
        self.save(account)
        logger.info("account %s changed its password", account_id)
        return token_subject(account)

    def _account_for_login(self, login_name: str) -> RosterEntry | AdminAccount | None:
        candidates = [RosterEntry.create_id(login_name.upper()),
                      AdminAccount.create_id(login_name.lower())]
        for aggregate_id in candidates:
            try:
                account = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                continue
            if isinstance(account, AdminAccount) or account.has_account:
                return account
        return None


def token_subject(account: RosterEntry | AdminAccount) -> TokenSubject:
    if isinstance(account, RosterEntry):
        return TokenSubject(subject=str(account.learner_id), role=Role.LEARNER,
                            learner_id=str(account.learner_id), office_id=account.office_id,
                            must_change_password=account.must_change_password)
    return TokenSubject(subject=str(account.id), role=Role(account.role), learner_id=None,
                        office_id=account.office_id,
                        must_change_password=account.must_change_password)
