"""Wire the portal into an ``eventplatform`` service definition.

The portal keeps no event store, read model or consumer: the definition holds
only settings and the web application, which the runtime serves as role ``api``
(``--role all`` runs the same single part).
"""

import logging

from eventplatform.runtime import ServiceDefinition

from portal_service.api import create_api
from portal_service.settings import PortalSettings


def build(settings: PortalSettings | None = None) -> ServiceDefinition:
    settings = settings or PortalSettings()
    # httpx logs every request URL at INFO; roster searches carry names in the query.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return ServiceDefinition(settings=settings, api=create_api(settings))
