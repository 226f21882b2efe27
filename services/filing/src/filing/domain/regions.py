"""GB/T 2260 regions and the places people file to (D-F4).

The province- and prefecture-level codes ship with the service in ``data/regions.csv``
(derived from the ``cpca`` package's adcode table; see docs/services/filing.md). A
*place* is the unit insurance is pooled and filed by: a prefecture-level city, or the whole
province for the municipalities, Hainan, Tibet and XPCC.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from filing.domain.errors import InvalidDestination, InvalidRegion

_DATA = Path(__file__).parent / "data" / "regions.csv"

BEIJING, TIANJIN, SHANGHAI, CHONGQING = "110000", "120000", "310000", "500000"
HAINAN, TIBET, XPCC = "460000", "540000", "660000"
MUNICIPALITIES = frozenset({BEIJING, TIANJIN, SHANGHAI, CHONGQING})
# Art. 11: "可备案到就医省" for Hainan, Tibet and XPCC, pooled at the province level.
PROVINCE_POOLED = frozenset({HAINAN, TIBET, XPCC})
JJJ_PROVINCES = frozenset({BEIJING, TIANJIN, "130000"})  # 京津冀 (M10)


class Level(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    # Henan's and Hubei's province-administered cities (济源, 仙桃, 潜江, 天门, 神农架):
    # each is its own pooling region in national cross-region settlement.
    DIRECT_COUNTY = "direct_county"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: Level

    @property
    def is_destination(self) -> bool:
        """D-F4: a city, a municipality, or the province for Hainan, Tibet and XPCC."""
        if self.level is Level.PROVINCE:
            return self.code in MUNICIPALITIES | PROVINCE_POOLED
        return province_of(self.code) not in PROVINCE_POOLED


@cache
def regions() -> dict[str, Region]:
    """Every shipped region by code; read once, on first use."""
    with _DATA.open(encoding="utf-8", newline="") as rows:
        return {
            row["code"]: Region(row["code"], row["name"], Level(row["level"]))
            for row in csv.DictReader(rows)
        }


def province_of(code: str) -> str:
    return f"{code[:2]}0000"


def place_of(code: str) -> str:
    """The pooling place a 6-digit code lies in: 120101 → 120000, 130104 → 130100."""
    province = province_of(code)
    if province in MUNICIPALITIES | PROVINCE_POOLED:
        return province
    if code in regions() and regions()[code].level is Level.DIRECT_COUNTY:
        return code
    return f"{code[:4]}00"


def area_prefix(area: str) -> str:
    """The leading digits every code inside a province, city or county shares."""
    if area.endswith("0000"):
        return area[:2]
    if area.endswith("00"):
        return area[:4]
    return area


def check_region(code: str, *, field: str) -> Region:
    """A code that is, or lies in, a shipped province or prefecture (a district is fine)."""
    if len(code) != 6 or not code.isdigit():
        raise InvalidRegion(f"{code!r} is not a 6-digit region code.", field=field)
    known = regions()
    for candidate in (code, place_of(code), province_of(code)):
        if candidate in known:
            return known[candidate]
    raise InvalidRegion(f"{code} is not a GB/T 2260 region code of the mainland.", field=field)


def check_destination(*, insured_region: str, destination: str) -> Region:
    """D-F4: a filed place, never the insured place itself."""
    if place_of(destination) == place_of(insured_region):
        raise InvalidDestination(
            "The destination must differ from the insured place (D-F4).",
            field="destination_region",
        )
    region = regions().get(destination)
    if region is None:
        raise InvalidDestination(
            f"{destination} is not a province- or prefecture-level region code (D-F4).",
            field="destination_region",
        )
    if not region.is_destination:
        pooled = place_of(destination)
        hint = (
            f"file to {pooled}, the whole province"
            if pooled != destination
            else "file to one of its cities"
        )
        raise InvalidDestination(
            f"{destination} ({region.name}) is not a place to file to: {hint} (D-F4).",
            field="destination_region",
        )
    return region


def is_jjj(code: str) -> bool:
    return province_of(code) in JJJ_PROVINCES
