"""Reference data shipped with the service, loaded by the migration ``0002_reference``.

Tianjin's inpatient figures are DOMAIN.md's, from 津医保发〔2023〕72号 as collected by a third
party; every other figure (Tianjin's outpatient and chronic care, Beijing, Hebei, and all
catalogues) is ILLUSTRATIVE. docs/services/settlement-policy.md gives the source or the
reasoning of each. An agency replaces them through the admin API with dated versions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from medins_common.money import to_fen
from settlement.domain.policy.model import CareType, CatalogueItem, ItemClass, ItemKind
from settlement.domain.reference_data import (
    CatalogueVersion,
    ChronicDisease,
    PolicyRule,
    PolicyVersion,
)

TIANJIN, BEIJING, HEBEI = "120000", "110000", "130000"
IN_FORCE_FROM = date(2023, 1, 1)  # the Tianjin measures' first day (Art. 34)

# The five diseases of the national chronic-outpatient pilot (D-F9, M6), national codes.
PILOT_CHRONIC_DISEASES = (
    ChronicDisease("M03900", "高血压"),
    ChronicDisease("M01600", "糖尿病"),
    ChronicDisease("M00500", "恶性肿瘤门诊治疗"),
    ChronicDisease("M07800", "尿毒症透析"),
    ChronicDisease("M08300", "器官移植抗排异治疗"),
)

INPATIENT, OUTPATIENT, CHRONIC = (
    CareType.INPATIENT,
    CareType.GENERAL_OUTPATIENT,
    CareType.CHRONIC_OUTPATIENT,
)
EMPLOYEE, RESIDENT = "310", "390"
IN_SERVICE, RETIRED, RESIDENT_PERSON = "employee_in_service", "employee_retired", "resident"
Level = int | None  # None: any level without its own row (pharmacies, ungraded)


def _inpatient(
    insutype: str,
    person_type: str,
    levels: dict[int, tuple[str, str, str]],
    cap: str,
    retiree_addition: str = "0",
) -> list[PolicyRule]:
    """Inpatient rows: level -> (first admission deductible, later admissions, fund ratio)."""
    return [
        PolicyRule(
            insutype=insutype,
            person_type=person_type,
            care_type=INPATIENT,
            institution_level=level,
            fund_ratio=D(ratio),
            annual_cap=D(cap),
            deductible_first_admission=D(first),
            deductible_later_admission=D(later),
            retiree_addition=D(retiree_addition),
        )
        for level, (first, later, ratio) in levels.items()
    ]


def _annual(
    insutype: str,
    person_type: str,
    care_type: CareType,
    deductible: str,
    ratios: dict[Level, str],
    cap: str,
    retiree_addition: str = "0",
) -> list[PolicyRule]:
    """Outpatient or chronic rows: one annual deductible, a fund ratio per level."""
    return [
        PolicyRule(
            insutype=insutype,
            person_type=person_type,
            care_type=care_type,
            institution_level=level,
            fund_ratio=D(ratio),
            annual_cap=D(cap),
            annual_deductible=D(deductible),
            retiree_addition=D(retiree_addition),
        )
        for level, ratio in ratios.items()
    ]


# --- Tianjin 120000 ----------------------------------------------------------------------
_TJ_EMPLOYEE_INPATIENT = {
    1: ("800", "270", "0.85"),
    2: ("1100", "350", "0.85"),
    3: ("1700", "500", "0.80"),
}
_TJ_EMPLOYEE_OUTPATIENT = {1: "0.75", 2: "0.65", 3: "0.55", None: "0.55"}
_TJ_EMPLOYEE_CHRONIC = {1: "0.85", 2: "0.85", 3: "0.80"}
_TJ_RESIDENT_INPATIENT = {1: ("500", "0", "0.75"), 2: ("500", "0", "0.70"), 3: ("500", "0", "0.65")}
_TJ_RESIDENT_OUTPATIENT = {1: "0.55", None: "0.50"}
_TJ_RESIDENT_CHRONIC = {1: "0.75", 2: "0.70", 3: "0.65"}

TIANJIN_POLICY = PolicyVersion(
    insured_region=TIANJIN,
    effective_from=IN_FORCE_FROM,
    source="Inpatient: 津医保发〔2023〕72号 as restated in DOMAIN.md; outpatient and chronic: "
    "illustrative (docs/services/settlement-policy.md). Penalty points: Art. 25, Art. 26.",
    rules=tuple(
        _inpatient(EMPLOYEE, IN_SERVICE, _TJ_EMPLOYEE_INPATIENT, "350000")
        + _inpatient(EMPLOYEE, RETIRED, _TJ_EMPLOYEE_INPATIENT, "350000", "0.05")
        + _annual(EMPLOYEE, IN_SERVICE, OUTPATIENT, "800", _TJ_EMPLOYEE_OUTPATIENT, "10000")
        + _annual(EMPLOYEE, RETIRED, OUTPATIENT, "700", _TJ_EMPLOYEE_OUTPATIENT, "10000", "0.05")
        + _annual(EMPLOYEE, IN_SERVICE, CHRONIC, "800", _TJ_EMPLOYEE_CHRONIC, "350000")
        + _annual(EMPLOYEE, RETIRED, CHRONIC, "800", _TJ_EMPLOYEE_CHRONIC, "350000", "0.05")
        + _inpatient(RESIDENT, RESIDENT_PERSON, _TJ_RESIDENT_INPATIENT, "250000")
        + _annual(RESIDENT, RESIDENT_PERSON, OUTPATIENT, "800", _TJ_RESIDENT_OUTPATIENT, "4500")
        + _annual(RESIDENT, RESIDENT_PERSON, CHRONIC, "500", _TJ_RESIDENT_CHRONIC, "250000")
    ),
    referral_share_increase=D("0.05"),
    own_initiative_share_increase=D("0.10"),
    chronic_diseases=PILOT_CHRONIC_DISEASES,
    version_id="default-policy-120000-2023-01-01",
)

# --- Beijing 110000 (illustrative) -------------------------------------------------------
_BJ_EMPLOYEE_INPATIENT = {
    1: ("1300", "650", "0.90"),
    2: ("1300", "650", "0.87"),
    3: ("1300", "650", "0.85"),
}
_BJ_RESIDENT_INPATIENT = {
    1: ("300", "300", "0.80"),
    2: ("800", "800", "0.78"),
    3: ("1300", "1300", "0.75"),
}

BEIJING_POLICY = PolicyVersion(
    insured_region=BEIJING,
    effective_from=IN_FORCE_FROM,
    source="ILLUSTRATIVE figures shaped after Beijing's published deductibles and ratios, "
    "simplified to one ratio per level; verify before use.",
    rules=tuple(
        _inpatient(EMPLOYEE, IN_SERVICE, _BJ_EMPLOYEE_INPATIENT, "500000")
        + _inpatient(EMPLOYEE, RETIRED, _BJ_EMPLOYEE_INPATIENT, "500000", "0.05")
        + _annual(EMPLOYEE, IN_SERVICE, OUTPATIENT, "1800", {1: "0.90", None: "0.70"}, "20000")
        + _annual(EMPLOYEE, RETIRED, OUTPATIENT, "1300", {1: "0.90", None: "0.70"}, "20000", "0.05")
        + _annual(EMPLOYEE, IN_SERVICE, CHRONIC, "1300", {None: "0.85"}, "500000")
        + _annual(EMPLOYEE, RETIRED, CHRONIC, "1300", {None: "0.85"}, "500000", "0.05")
        + _inpatient(RESIDENT, RESIDENT_PERSON, _BJ_RESIDENT_INPATIENT, "250000")
        + _annual(RESIDENT, RESIDENT_PERSON, OUTPATIENT, "100", {1: "0.55", None: "0.50"}, "4000")
        + _annual(RESIDENT, RESIDENT_PERSON, CHRONIC, "300", {None: "0.65"}, "250000")
    ),
    chronic_diseases=PILOT_CHRONIC_DISEASES,
    version_id="default-policy-110000-2023-01-01",
)

# --- Hebei 130000 (illustrative; applies to every Hebei city without its own policy) -----
_HB_EMPLOYEE_INPATIENT = {
    1: ("300", "150", "0.92"),
    2: ("600", "300", "0.88"),
    3: ("1000", "500", "0.85"),
}
_HB_RESIDENT_INPATIENT = {
    1: ("200", "200", "0.80"),
    2: ("500", "500", "0.70"),
    3: ("1000", "1000", "0.60"),
}

HEBEI_POLICY = PolicyVersion(
    insured_region=HEBEI,
    effective_from=IN_FORCE_FROM,
    source="ILLUSTRATIVE province-wide figures; Hebei's cities set their own. Verify before use.",
    rules=tuple(
        _inpatient(EMPLOYEE, IN_SERVICE, _HB_EMPLOYEE_INPATIENT, "300000")
        + _inpatient(EMPLOYEE, RETIRED, _HB_EMPLOYEE_INPATIENT, "300000", "0.03")
        + _annual(EMPLOYEE, IN_SERVICE, OUTPATIENT, "800", {1: "0.60", None: "0.50"}, "5000")
        + _annual(EMPLOYEE, RETIRED, OUTPATIENT, "800", {1: "0.60", None: "0.50"}, "5000", "0.05")
        + _annual(EMPLOYEE, IN_SERVICE, CHRONIC, "600", {None: "0.80"}, "300000")
        + _annual(EMPLOYEE, RETIRED, CHRONIC, "600", {None: "0.80"}, "300000", "0.03")
        + _inpatient(RESIDENT, RESIDENT_PERSON, _HB_RESIDENT_INPATIENT, "200000")
        + _annual(RESIDENT, RESIDENT_PERSON, OUTPATIENT, "0", {None: "0.50"}, "800")
        + _annual(RESIDENT, RESIDENT_PERSON, CHRONIC, "0", {None: "0.60"}, "200000")
    ),
    chronic_diseases=PILOT_CHRONIC_DISEASES,
    version_id="default-policy-130000-2023-01-01",
)

DEFAULT_POLICIES = (TIANJIN_POLICY, BEIJING_POLICY, HEBEI_POLICY)

# --- Catalogues (illustrative) -----------------------------------------------------------
# Shared item codes in the shape of the national codes (drugs X…/Z…, services by the national
# service-price classification, materials C…); class and caps as at Tianjin. Each region's
# services and materials are capped at Tianjin's caps times its price level.
_DRUG, _SERVICE, _MATERIAL = ItemKind.DRUG, ItemKind.SERVICE, ItemKind.MATERIAL
_A, _B, _C = ItemClass.A, ItemClass.B, ItemClass.C
_ITEMS: tuple[tuple[str, str, ItemKind, ItemClass, str, str | None], ...] = (
    # code, name, kind, class, class-B first self-pay share, unit price cap
    ("XA10BAA041", "二甲双胍片 0.5g", _DRUG, _A, "0", "0.60"),
    ("XC09CAA010", "缬沙坦胶囊 80mg", _DRUG, _A, "0", None),
    ("XC08CAA010", "苯磺酸氨氯地平片 5mg", _DRUG, _A, "0", "1.20"),
    ("XC10AAA050", "阿托伐他汀钙片 20mg", _DRUG, _A, "0", None),
    ("XN02BEA010", "对乙酰氨基酚片 0.5g", _DRUG, _A, "0", None),
    ("XH02ABA020", "地塞米松磷酸钠注射液 5mg", _DRUG, _A, "0", None),
    ("XB05BBA010", "氯化钠注射液 0.9% 250ml", _DRUG, _A, "0", "5.00"),
    ("XJ01DDA020", "注射用头孢曲松钠 1g", _DRUG, _A, "0", "15.00"),
    ("XJ01DCA010", "头孢呋辛酯片 0.25g", _DRUG, _B, "0.10", None),
    ("XB01ACA020", "硫酸氢氯吡格雷片 75mg", _DRUG, _B, "0.10", "3.50"),
    ("XA02BCA010", "奥美拉唑肠溶胶囊 20mg", _DRUG, _B, "0.10", None),
    ("XL04ADA010", "他克莫司胶囊 1mg", _DRUG, _B, "0.10", None),
    ("XL01FDA010", "注射用曲妥珠单抗 440mg", _DRUG, _B, "0.20", "5000.00"),
    ("ZA04AAA001", "连花清瘟胶囊", _DRUG, _B, "0.05", None),
    ("ZA12BAA001", "复方丹参滴丸", _DRUG, _A, "0", None),
    ("XD11AXX001", "硅酮祛疤凝胶", _DRUG, _C, "0", None),
    ("XA11JAA001", "复合维生素片", _DRUG, _C, "0", None),
    ("110200001", "普通门诊诊察费", _SERVICE, _A, "0", "10.00"),
    ("110900001", "普通病房床位费", _SERVICE, _A, "0", "50.00"),
    ("120100002", "一级护理", _SERVICE, _A, "0", "26.00"),
    ("250101015", "血细胞分析（全血细胞计数）", _SERVICE, _A, "0", "20.00"),
    ("250305001", "丙氨酸氨基转移酶测定", _SERVICE, _A, "0", "5.00"),
    ("310701001", "常规心电图检查", _SERVICE, _A, "0", "25.00"),
    ("210300001", "X线计算机体层（CT）平扫", _SERVICE, _B, "0.10", "150.00"),
    ("210400001", "磁共振（MRI）平扫", _SERVICE, _B, "0.20", "500.00"),
    ("311201001", "血液透析", _SERVICE, _A, "0", "400.00"),
    ("330100005", "全身麻醉", _SERVICE, _A, "0", "1000.00"),
    ("331303002", "阑尾切除术", _SERVICE, _A, "0", "1300.00"),
    ("111000001", "特需病房床位费", _SERVICE, _C, "0", None),
    ("C01010101", "一次性使用输液器", _MATERIAL, _A, "0", "3.00"),
    ("C03020101", "冠状动脉药物洗脱支架", _MATERIAL, _B, "0.30", "800.00"),
    ("C04010101", "人工髋关节假体", _MATERIAL, _B, "0.20", "8000.00"),
    ("C05020101", "人工晶状体", _MATERIAL, _B, "0.20", "2000.00"),
    ("C09010101", "医用冷敷贴", _MATERIAL, _C, "0", None),
)
_PRICE_LEVEL = {TIANJIN: D("1"), BEIJING: D("1.2"), HEBEI: D("0.8")}


def _catalogue(region: str) -> CatalogueVersion:
    level = _PRICE_LEVEL[region]
    return CatalogueVersion(
        region=region,
        effective_from=IN_FORCE_FROM,
        source="ILLUSTRATIVE default catalogue (docs/services/settlement-policy.md)",
        items=tuple(
            CatalogueItem(
                code=code,
                name=name,
                kind=kind,
                item_class=item_class,
                self_pay_share=D(share),
                price_cap=None if cap is None else _regional_cap(D(cap), kind, level),
            )
            for code, name, kind, item_class, share, cap in _ITEMS
        ),
        version_id=f"default-catalogue-{region}-2023-01-01",
    )


def _regional_cap(cap: D, kind: ItemKind, level: D) -> D:
    # Drug caps are national payment standards; service prices follow the local price level.
    return cap if kind is ItemKind.DRUG else to_fen(cap * level)


DEFAULT_CATALOGUES = tuple(_catalogue(region) for region in (TIANJIN, BEIJING, HEBEI))
