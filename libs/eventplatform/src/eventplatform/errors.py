"""Error base classes shared by every service's domain.

Domain errors carry ids and an English message for operators. The API layer
of each service maps them to an HTTP status and a Chinese message for users
(see ``eventplatform.web.install_error_handlers``).
"""


class DomainError(Exception):
    """A rule of the domain rejected a command. Subclass per rule."""


class NotFound(DomainError):
    """The addressed entity does not exist."""


class Conflict(DomainError):
    """The command conflicts with the entity's current state."""
