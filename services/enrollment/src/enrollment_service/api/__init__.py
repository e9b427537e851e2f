"""HTTP API of the enrollment service."""

from eventplatform.auth import TokenVerifier
from eventplatform.projector import LocalProjector
from eventplatform.readmodel import Database
from eventplatform.web import install_error_handlers
from fastapi import FastAPI

from enrollment_service.api import calendar, classes, orders, reports
from enrollment_service.api.deps import Wiring
from enrollment_service.api.errors import USER_MESSAGES
from enrollment_service.application import Enrollment


def create_api(
    application: Enrollment,
    database: Database,
    verifier: TokenVerifier,
    projector: LocalProjector | None,
) -> FastAPI:
    api = FastAPI(title="Enrollment service", version="1.0")
    api.state.wiring = Wiring(application=application, database=database, projector=projector, verifier=verifier)
    install_error_handlers(api, USER_MESSAGES)
    api.include_router(calendar.router)
    api.include_router(orders.router)
    api.include_router(classes.router)
    api.include_router(reports.router)
    return api
