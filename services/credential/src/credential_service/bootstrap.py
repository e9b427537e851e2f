"""Wire the credential service into an ``eventplatform`` service definition."""

from education_contracts import Topics
from eventplatform.auth import TokenVerifier
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from fastapi import FastAPI

from credential_service.api import create_api
from credential_service.application import Credential
from credential_service.handlers import build_handlers
from credential_service.readmodels import ReadModel, project
from credential_service.settings import CredentialSettings
from credential_service.translate import translate


def build(
    settings: CredentialSettings | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> ServiceDefinition:
    settings = settings or CredentialSettings()
    application = Credential(settings, clock or SystemClock())
    definition = ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=Database(settings.database_url, ReadModel.metadata),
        application=application,
        translate=translate,
        handlers=build_handlers(application),
        projections=[project],
        published_topics=[Topics.CERTIFICATES],
    )
    verifier = verifier or TokenVerifier(jwks_url=settings.jwks_url)
    definition.api = create_api(definition, verifier)
    return definition
