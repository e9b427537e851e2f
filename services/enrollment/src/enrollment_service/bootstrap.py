"""Wire the enrollment service into an ``eventplatform`` service definition."""

from education_contracts.topics import Topics
from eventplatform.auth import TokenVerifier
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from fastapi import FastAPI

from enrollment_service.api import create_api
from enrollment_service.application import Enrollment
from enrollment_service.handlers import build_handlers
from enrollment_service.jobs import build_jobs
from enrollment_service.readmodels import ReadModel, project
from enrollment_service.settings import EnrollmentSettings
from enrollment_service.translate import translate


def build(
    settings: EnrollmentSettings | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> ServiceDefinition:
    settings = settings or EnrollmentSettings()
    database = Database(settings.database_url, ReadModel.metadata)
    application = Enrollment(settings, clock or SystemClock(), database)
    definition = ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=database,
        application=application,
        translate=translate,
        handlers=build_handlers(application),
        projections=[project],
        jobs=build_jobs(application),
        published_topics=[Topics.ORDERS, Topics.CLASSES],
    )
    definition.api = create_api(
        application,
        database,
        verifier or TokenVerifier(jwks_url=settings.jwks_url),
        definition.projector,
    )
    return definition
