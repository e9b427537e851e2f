"""Dependencies shared by the routes: the wired services and the verified caller."""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.projector import LocalProjector
from eventplatform.readmodel import Database
from fastapi import Depends, Request

from enrollment_service.application import Enrollment


@dataclass
class Wiring:
    """Services the routes use, stored on ``app.state.wiring`` by ``create_api``."""

    application: Enrollment
    database: Database
    projector: LocalProjector | None
    verifier: TokenVerifier

    def catch_up(self) -> None:
        """Project the command's events before the response reads the read model."""
        if self.projector is not None:
            self.projector.catch_up()


def get_wiring(request: Request) -> Wiring:
    return request.app.state.wiring


CurrentPrincipal = Annotated[
    Principal, Depends(principal_dependency(lambda request: get_wiring(request).verifier))
]
WiringDep = Annotated[Wiring, Depends(get_wiring)]


def current_learner(principal: CurrentPrincipal) -> UUID:
    """Return the caller's learner id, rejecting callers who are not learners."""
    require_role(principal, Role.LEARNER)
    assert principal.learner_id is not None  # identity puts it in every learner token
    return principal.learner_id


def current_operator(principal: CurrentPrincipal) -> Principal:
    require_role(principal, Role.PROVINCE_OPERATOR)
    return principal


LearnerId = Annotated[UUID, Depends(current_learner)]
Operator = Annotated[Principal, Depends(current_operator)]
