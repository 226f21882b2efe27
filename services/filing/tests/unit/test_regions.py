"""GB/T 2260 reference data and the places a filing may name (D-F4), as plain Python."""

import pytest

from filing.domain.errors import InvalidDestination, InvalidRegion
from filing.domain.regions import (
    Level,
    area_prefix,
    check_destination,
    check_region,
    is_jjj,
    place_of,
    regions,
)

TIANJIN, BEIJING, HEBEI, SHIJIAZHUANG = "120000", "110000", "130000", "130100"

# The 31 mainland provinces, autonomous regions and municipalities, and XPCC.
PROVINCES = [
    "110000",
    "120000",
    "130000",
    "140000",
    "150000",
    "210000",
    "220000",
    "230000",
    "310000",
    "320000",
    "330000",
    "340000",
    "350000",
    "360000",
    "370000",
    "410000",
    "420000",
    "430000",
    "440000",
    "450000",
    "460000",
    "500000",
    "510000",
    "520000",
    "530000",
    "540000",
    "610000",
    "620000",
    "630000",
    "640000",
    "650000",
    "660000",
]


def test_every_province_level_code_and_xpcc_ships_with_the_service():
    shipped = {code for code, r in regions().items() if r.level is Level.PROVINCE}
    assert shipped == set(PROVINCES)


def test_all_333_prefecture_level_divisions_ship_with_the_service():
    prefectures = [r for r in regions().values() if r.level is Level.PREFECTURE]
    assert len(prefectures) == 333
    assert all(r.code[4:] == "00" and r.code[2:4] != "00" for r in prefectures)
    names = {r.code: r.name for r in prefectures}
    assert names["130100"] == "石家庄市"
    assert names["540600"] == "那曲市"  # a city since 2017
    assert "371200" not in names  # Laiwu, merged into Jinan in 2019
    assert "110100" not in names  # "市辖区" of a municipality is no place


@pytest.mark.parametrize(
    ("code", "place"),
    [
        ("120000", "120000"),
        ("120101", "120000"),  # a Tianjin district lies in Tianjin
        ("110105", "110000"),
        ("500233", "500000"),
        ("130104", "130100"),
        ("130100", "130100"),
        ("130000", "130000"),
        ("460200", "460000"),  # Sanya: Hainan is pooled at the province
        ("469002", "460000"),
        ("540102", "540000"),
        ("660000", "660000"),
        ("419001", "419001"),  # Jiyuan: a province-administered city, its own pool
    ],
)
def test_d_f4_a_code_lies_in_its_pooling_place(code, place):
    assert place_of(code) == place


@pytest.mark.parametrize(
    "destination",
    [BEIJING, "310000", "500000", SHIJIAZHUANG, "440300", "460000", "540000", "660000", "429004"],
)
def test_d_f4_cities_municipalities_and_the_pooled_provinces_are_destinations(destination):
    assert check_destination(insured_region=TIANJIN, destination=destination).code == destination


@pytest.mark.parametrize("destination", [TIANJIN, "120101", "120116"])
def test_d_f4_a_tianjin_person_cannot_file_to_tianjin_or_any_of_its_districts(destination):
    with pytest.raises(InvalidDestination) as refused:
        check_destination(insured_region=TIANJIN, destination=destination)
    assert "insured place" in refused.value.detail
    assert refused.value.field == "destination_region"


def test_d_f4_a_shijiazhuang_person_cannot_file_to_shijiazhuang_but_to_another_hebei_city():
    with pytest.raises(InvalidDestination):
        check_destination(insured_region=SHIJIAZHUANG, destination=SHIJIAZHUANG)
    assert check_destination(insured_region=SHIJIAZHUANG, destination="130200")


@pytest.mark.parametrize(("destination", "hint"), [("460100", "460000"), ("540100", "540000")])
def test_d_f4_in_hainan_and_tibet_a_city_is_refused_in_favour_of_the_province(destination, hint):
    with pytest.raises(InvalidDestination) as refused:
        check_destination(insured_region=TIANJIN, destination=destination)
    assert f"file to {hint}" in refused.value.detail


@pytest.mark.parametrize("destination", [HEBEI, "440000", "320000"])
def test_d_f4_an_ordinary_province_is_refused_in_favour_of_one_of_its_cities(destination):
    with pytest.raises(InvalidDestination) as refused:
        check_destination(insured_region=TIANJIN, destination=destination)
    assert "one of its cities" in refused.value.detail


@pytest.mark.parametrize("destination", ["110105", "130104", "999900", "710000", "000000"])
def test_d_f4_a_district_or_an_unknown_code_is_no_destination(destination):
    with pytest.raises(InvalidDestination):
        check_destination(insured_region=TIANJIN, destination=destination)


@pytest.mark.parametrize("code", ["120000", "120101", "130104", "419001", "660000", "659001"])
def test_a_code_in_a_shipped_province_or_city_is_a_region(code):
    assert check_region(code, field="region")


@pytest.mark.parametrize("code", ["990000", "710000", "810000", "000000", "1201ab", "12000"])
def test_a_code_outside_the_mainland_tables_is_refused_naming_the_field(code):
    with pytest.raises(InvalidRegion) as refused:
        check_region(code, field="insured_region")
    assert refused.value.code == "invalid_region"
    assert refused.value.field == "insured_region"


@pytest.mark.parametrize(
    ("area", "prefix"), [("130000", "13"), ("130100", "1301"), ("419001", "419001")]
)
def test_a_province_city_or_county_is_matched_by_its_leading_digits(area, prefix):
    assert area_prefix(area) == prefix


@pytest.mark.parametrize(
    ("code", "inside"),
    [("110105", True), ("120000", True), ("130100", True), ("140100", False), ("210000", False)],
)
def test_m10_beijing_tianjin_and_hebei_make_up_jjj(code, inside):
    assert is_jjj(code) is inside
