"""HTTP API of the identity service."""

from fastapi import FastAPI

from identity_service.api import admin, me, public, roster
from identity_service.api.deps import IdentityServices
from identity_service.api.errors import install_identity_errors


def create_api(services: IdentityServices) -> FastAPI:
    api = FastAPI(title="gqjy identity", version="1.0")
    api.state.services = services
    install_identity_errors(api)
    for module in (public, me, roster, admin):
        api.include_router(module.router)
    return api
