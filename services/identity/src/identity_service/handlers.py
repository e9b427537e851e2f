"""Consumed integration events: identity is the source of learners and follows no topic."""

from education_contracts import IntegrationEvent
from eventplatform.consumer import Handler


def build_handlers() -> dict[type[IntegrationEvent], Handler]:
    return {}
