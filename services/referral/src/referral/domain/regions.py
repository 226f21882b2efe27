"""Region codes (GB/T 2260): six digits; the first two name the province, four the city."""

from __future__ import annotations

TIANJIN_PROVINCE = "12"  # 120000 and its districts 1201xx (and former counties 1202xx)


def province_of(region: str) -> str:
    return region[:2]


def in_tianjin(region: str) -> bool:
    return province_of(region) == TIANJIN_PROVINCE


def within(region: str, place: str) -> bool:
    """Whether a region lies in a place: a province or municipality (xx0000), a city (xxxx00),
    or a district (the code itself). Filings name such places (D-F4)."""
    if place.endswith("0000"):
        return region[:2] == place[:2]
    if place.endswith("00"):
        return region[:4] == place[:4]
    return region == place
