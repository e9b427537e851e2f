"""Map the identity service's recorded events to integration events.

Only activated learners are announced: corrections of roster entries without
an account stay inside the service, because no other service has received them yet.
Payloads carry the masked ID number and never the phone.
"""

from typing import Any

from education_contracts import IntegrationEvent
from education_contracts.events import LearnerProfileChanged, Registered

from identity_service.domain.model import RosterEntry


def translate(domain_event: Any) -> list[IntegrationEvent]:
    if isinstance(domain_event, RosterEntry.Activated):
        profile = _without(domain_event.profile, "status")
        return [Registered(**profile, registered_at=domain_event.timestamp)]
    if isinstance(domain_event, RosterEntry.Corrected | RosterEntry.MarkedLeft):
        if not domain_event.has_account:
            return []
        return [LearnerProfileChanged(**domain_event.profile, changed_at=domain_event.timestamp)]
    return []


def _without(profile: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in profile.items() if key not in keys}
