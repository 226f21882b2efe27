"""FastAPI side of authentication: ``CurrentPrincipal`` and role guards."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from medins_common.auth import InvalidToken, Principal, Role, decode
from medins_common.errors import Forbidden, Unauthenticated

_bearer = HTTPBearer(
    auto_error=False, description="JWT issued by the platform (mint-token in development)"
)


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticate(request: Request, credentials: BearerCredentials) -> Principal:
    return principal_from(request, credentials)


def principal_from(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """Who the bearer token names; refused without a valid token."""
    if credentials is None:
        raise Unauthenticated("A bearer token is required.", field="Authorization")
    secret = request.app.state.settings.jwt_secret.get_secret_value()
    try:
        return decode(credentials.credentials, secret=secret)
    except InvalidToken as exc:
        raise Unauthenticated(
            f"The bearer token is not valid: {exc}", code="invalid_token", field="Authorization"
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    allowed = frozenset(roles)

    async def _guard(principal: CurrentPrincipal) -> Principal:
        return with_role(principal, allowed)

    return _guard


def with_role(principal: Principal, allowed: frozenset[Role]) -> Principal:
    if principal.role not in allowed:
        raise Forbidden(
            f"This needs one of the roles {sorted(r.value for r in allowed)}; "
            f"the token has {principal.role.value}.",
            code="forbidden_role",
        )
    return principal
