from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from filing.domain.regions import regions
from filing.entrypoints.api.schemas import RegionOut
from medins_common.api.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/regions", tags=["regions"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    response_model=list[RegionOut],
    summary="GB/T 2260 provinces and cities, and which a filing may name (D-F4; public)",
)
async def list_regions(
    destinations_only: Annotated[
        bool, Query(description="Only the places a filing may name", examples=[True])
    ] = False,
) -> list[RegionOut]:
    return [
        RegionOut.model_validate(region)
        for region in regions().values()
        if region.is_destination or not destinations_only
    ]
