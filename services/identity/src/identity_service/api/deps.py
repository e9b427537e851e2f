"""Shared pieces of the routes: the service container and the caller's identity."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from eventplatform.auth import Principal, Role, TokenVerifier, principal_dependency, require_role
from eventplatform.readmodel import Database
from eventplatform.web import UserFacingError
from fastapi import Depends, Request

from identity_service.accounts import AccountFlows
from identity_service.application import Actor, Identity
from identity_service.settings import IdentitySettings


@dataclass
class IdentityServices:
    """Everything a route needs, built once by the bootstrap module."""

    settings: IdentitySettings
    app: Identity
    database: Database
    flows: AccountFlows
    verifier: TokenVerifier
    catch_up: Callable[[], object]


def get_services(request: Request) -> IdentityServices:
    services: IdentityServices = request.app.state.services
    return services


ServicesDep = Annotated[IdentityServices, Depends(get_services)]
PrincipalDep = Annotated[
    Principal, Depends(principal_dependency(lambda request: get_services(request).verifier))
]


def admin_actor(principal: PrincipalDep) -> Actor:
    """Return the acting admin. Learners, and admins who still use an initial password, get 403."""
    require_role(principal, Role.REGIONAL_ADMIN, Role.PROVINCE_OPERATOR)
    _require_changed_password(principal)
    office_id = principal.office_id if principal.role is Role.REGIONAL_ADMIN else None
    return Actor(account_id=principal.subject, office_id=office_id)


def operator_actor(principal: PrincipalDep) -> Actor:
    require_role(principal, Role.PROVINCE_OPERATOR)
    _require_changed_password(principal)
    return Actor(account_id=principal.subject, office_id=None)


def _require_changed_password(principal: Principal) -> None:
    if principal.must_change_password:
        raise UserFacingError(403, "请先修改初始密码，再进行管理操作。", "password_change_required")


AdminDep = Annotated[Actor, Depends(admin_actor)]
OperatorDep = Annotated[Actor, Depends(operator_actor)]
