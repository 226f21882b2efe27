"""Who may call what (issue 6, access rules), as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from clearing.config import ClearingSettings
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Overseer = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
# Clerks are further held to the pairs of their own region by the service layer.
Reader = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR, Role.CLERK))]
AgencyStaff = Annotated[Principal, Depends(require_roles(Role.CLERK))]


async def _settings(request: Request) -> ClearingSettings:
    return request.app.state.settings


Settings = Annotated[ClearingSettings, Depends(_settings)]
