"""Read model of the enrollment service: tables, projections of own events, queries."""

from enrollment_service.readmodels.projections import project
from enrollment_service.readmodels.tables import ReadModel

__all__ = ["ReadModel", "project"]
