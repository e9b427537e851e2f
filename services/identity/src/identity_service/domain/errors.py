"""Errors of the identity domain. Messages are English for operators; the API adds Chinese."""

from eventplatform.errors import Conflict, DomainError, NotFound


class InvalidInput(DomainError):
    """A value failed validation; ``reason`` is a code such as ``id_number_check_character``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotOnRoster(DomainError):
    """No active roster entry matches the given name and ID number."""

    def __init__(self, region_prefix: str = "") -> None:
        super().__init__("no matching active roster entry")
        self.region_prefix = region_prefix


class AlreadyOnRoster(Conflict):
    """The ID number is already on a roster."""

    def __init__(self, office_id: str) -> None:
        super().__init__(f"already on the roster of office {office_id}")
        self.office_id = office_id


class AlreadyActivated(Conflict):
    """The roster entry already has an account."""


class PersonLeft(Conflict):
    """The roster entry is marked as left, so it cannot change or log in."""


class OfficeForbidden(DomainError):
    """A regional admin addressed a roster entry or office outside their own office."""


class UnknownOffice(NotFound):
    """No regional office has the given id."""


class RosterEntryNotFound(NotFound):
    """No roster entry has the given id."""


class AccountNotFound(NotFound):
    """No account matches the request."""


class UsernameTaken(Conflict):
    """An admin account with this user name exists."""


class WrongPassword(DomainError):
    """The current password given for a change is wrong."""


class NoBoundPhone(DomainError):
    """The account has no phone to send a recovery code to."""
