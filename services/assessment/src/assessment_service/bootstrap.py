"""Wire the assessment service into an ``eventplatform`` service definition."""

import logging

from education_contracts import Topics
from eventplatform.clock import Clock, SystemClock
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from eventplatform.auth import TokenVerifier
from fastapi import FastAPI

from assessment_service.api import create_api
from assessment_service.application import Assessment
from assessment_service.demobank import demo_questions
from assessment_service.handlers import build_handlers
from assessment_service.readmodels import CatalogCourse, ReadModel, project
from assessment_service.settings import AssessmentSettings
from assessment_service.translate import translate

logger = logging.getLogger(__name__)


def build(
    settings: AssessmentSettings | None = None,
    clock: Clock | None = None,
    verifier: TokenVerifier | None = None,
) -> ServiceDefinition:
    settings = settings or AssessmentSettings()
    application = Assessment(settings, clock or SystemClock())
    database = Database(settings.database_url, ReadModel.metadata)
    definition = ServiceDefinition(
        settings=settings,
        api=FastAPI(),
        database=database,
        application=application,
        translate=translate,
        handlers=build_handlers(application, settings),
        projections=[project],
        published_topics=[Topics.QUIZZES],
    )
    verifier = verifier or TokenVerifier(jwks_url=settings.jwks_url)
    definition.api = create_api(definition, verifier)
    return definition


def seed_demo_command(definition: ServiceDefinition) -> int:
    """Create a demo bank for every catalog course that has none yet (development only)."""
    settings = definition.settings
    assert isinstance(settings, AssessmentSettings)
    if settings.environment == "production":
        logger.error("seed-demo rejected: demo banks are not allowed when environment is production")
        return 2
    application = definition.application
    assert isinstance(application, Assessment) and definition.database is not None
    with definition.database.sessions() as session:
        courses = list(session.query(CatalogCourse).order_by(CatalogCourse.code))
    created = 0
    for course in courses:
        questions = demo_questions(course.course_id, course.title, course.category, settings.demo_bank_size)
        created += application.ensure_bank(course.course_id, questions)
    logger.info("seed-demo: %d demo banks created for %d catalog courses", created, len(courses))
    print(f"demo banks created: {created} of {len(courses)} catalog courses")
    if not courses:
        print("no catalog courses known yet: run the learning service's seed-demo and the consumers first")
    return 0
