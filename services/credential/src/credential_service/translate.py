"""Map recorded ledger events to integration events: certificates issued and revoked."""

from typing import Any

from education_contracts import CertificateIssued, CertificateRevoked, IntegrationEvent

from credential_service import domain


def translate(domain_event: Any) -> list[IntegrationEvent]:
    if isinstance(domain_event, domain.CertificateIssued):
        return [CertificateIssued(
            certificate_id=domain_event.originator_id,
            certificate_number=domain_event.certificate_number,
            learner_id=domain_event.learner_id,
            class_id=domain_event.class_id,
            training_year=domain_event.training_year,
            political_hours=domain_event.political_hours,
            general_hours=domain_event.general_hours,
            job_skills_hours=domain_event.job_skills_hours,
            issued_at=domain_event.issued_at,
        )]
    if isinstance(domain_event, domain.CertificateRevoked):
        return [CertificateRevoked(
            certificate_id=domain_event.originator_id,
            certificate_number=domain_event.certificate_number or "",
            learner_id=domain_event.learner_id,
            class_id=domain_event.class_id,
            reason=domain_event.reason,
            revoked_at=domain_event.revoked_at,
        )]
    return []
