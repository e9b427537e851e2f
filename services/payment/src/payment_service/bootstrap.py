"""Wire the payment service into an ``eventplatform`` service definition."""

import httpx
from education_contracts import Topics
from fastapi import FastAPI

from eventplatform.auth import TokenVerifier
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from payment_service.api import create_api
from payment_service.application import Payments
from payment_service.gateway import BankGateway, HttpBankGateway
from payment_service.handlers import build_handlers
from payment_service.jobs import reconciliation_job
from payment_service.readmodels import ReadModel, project
from payment_service.settings import PaymentSettings
from payment_service.translate import translate


def build(
    settings: PaymentSettings | None = None,
    clock: Clock | None = None,
    gateway: BankGateway | None = None,
    verifier: TokenVerifier | None = None,
) -> ServiceDefinition:
    """Build the service; tests pass their own clock, bank gateway and token verifier."""
    settings = settings or PaymentSettings()
    payments = Payments(settings, clock or SystemClock())
    database = Database(settings.database_url, ReadModel.metadata)
    if gateway is None:
        client = httpx.AsyncClient(timeout=settings.bank_timeout_seconds)
        gateway = HttpBankGateway(
            settings.bank_base_url, settings.bank_merchant_id, settings.bank_signing_key, client
        )

    definition = ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=database,
        application=payments,
        translate=translate,
        handlers=build_handlers(),
        projections=[project],
        jobs=[reconciliation_job(payments, database, gateway)],
        published_topics=[Topics.PAYMENTS],
    )
    definition.api = create_api(
        payments,
        database,
        gateway,
        verifier or TokenVerifier(jwks_url=settings.jwks_url),
        definition.projector,
    )
    return definition
