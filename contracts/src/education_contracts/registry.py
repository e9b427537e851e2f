"""Look-up of event classes by their CloudEvents type."""

from education_contracts.base import IntegrationEvent
from education_contracts.events import ALL_EVENTS

_BY_TYPE: dict[str, type[IntegrationEvent]] = {cls.meta.event_type: cls for cls in ALL_EVENTS}


class UnknownEventType(LookupError):
    """Raised for a ``ce_type`` that no contract defines."""


def event_class_for_type(event_type: str) -> type[IntegrationEvent]:
    """Return the event class of a ``ce_type`` value."""
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(f"no contract for event type {event_type!r}") from None
