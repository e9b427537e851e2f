"""The credential write model: hour ledgers and their certificates."""

import logging
import secrets
from datetime import datetime
from uuid import UUID

from eventplatform.clock import Clock, shanghai_today
from eventplatform.store import ServiceApplication
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from credential_service.domain import CertificateNotFound, HourLedger
from credential_service.settings import CredentialSettings

logger = logging.getLogger(__name__)

# Crockford-style alphabet without 0/O and 1/I/L, so a code typed from paper is unambiguous.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 16  # 31**16 is about 2**79 possible codes


def new_verification_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


class Credential(ServiceApplication):
    name = "credential"

    def __init__(self, settings: CredentialSettings, clock: Clock) -> None:
        super().__init__(settings.event_store_url)
        self.clock = clock

    def ledger(self, class_id: UUID) -> HourLedger | None:
        try:
            return self.repository.get(HourLedger.create_id(class_id))
        except AggregateNotFoundError:
            return None

    def ledger_by_certificate(self, certificate_id: UUID) -> HourLedger:
        try:
            ledger = self.repository.get(certificate_id)
        except AggregateNotFoundError:
            raise CertificateNotFound(f"certificate {certificate_id} not found") from None
        if not isinstance(ledger, HourLedger) or not ledger.issued:
            raise CertificateNotFound(f"certificate {certificate_id} not found")
        return ledger

    def fix_requirement(self, class_id: UUID, learner_id: UUID, training_year: int,
                        grade: str, requirement: dict[str, int]) -> None:
        """Apply ClassOpened; idempotent, so a redelivered event changes nothing."""
        self._update(class_id, learner_id, training_year,
                     lambda ledger: ledger.fix_requirement(grade, requirement))

    def credit_course(self, class_id: UUID, learner_id: UUID, training_year: int, course_id: UUID,
                      category: str, credit_hours: int, passed_at: datetime) -> None:
        """Apply QuizPassed; idempotent per course, whatever the event id."""
        self._update(class_id, learner_id, training_year,
                     lambda ledger: ledger.credit_course(course_id, category, credit_hours, passed_at))

    def revoke(self, certificate_id: UUID, reason: str) -> HourLedger:
        ledger = self.ledger_by_certificate(certificate_id)
        ledger.revoke(reason, self.clock.now())
        self.save(ledger)
        logger.info("certificate %s revoked", certificate_id)
        return ledger

    def _update(self, class_id: UUID, learner_id: UUID, training_year: int, change) -> None:
        """Change a ledger (created on first use) and issue its certificate once it qualifies.

        A concurrent writer makes the save conflict; the change is then retried on
        the fresh ledger, where the idempotent commands do the right thing.
        """
        for _attempt in range(3):
            ledger = self.ledger(class_id) or HourLedger(
                class_id=class_id, learner_id=learner_id, training_year=training_year
            )
            change(ledger)
            issued = ledger.issue_if_qualified(
                self._certificate_number(ledger), new_verification_code(), self.clock.now()
            )
            try:
                self.save(ledger)
            except IntegrityError:
                logger.info("ledger of class %s changed concurrently; retrying", class_id)
                continue
            if issued:
                logger.info("certificate %s issued for class %s", ledger.id, class_id)
            return
        raise IntegrityError(f"ledger of class {class_id} kept conflicting")

    def _certificate_number(self, ledger: HourLedger) -> str:
        # Year, issue date and 12 hex digits of the ledger id (which derives from the
        # class id), so two classes practically never share a number.
        return f"GQJY{ledger.training_year}-{shanghai_today(self.clock):%m%d}-{ledger.id.hex[:12].upper()}"
