"""The policy engine (DOMAIN.md, "Settlement arithmetic"): ``settle`` and ``value_manual_claim``
over a ``Catalogue`` and a ``Policy``; pure Python."""

from settlement.domain.policy.engine import settle, value_manual_claim
from settlement.domain.policy.errors import (
    ChronicDiseaseNotCovered,
    FundPaysNothing,
    InstitutionNotDesignated,
    NoCatalogue,
    NoPolicy,
    UnknownItem,
)
from settlement.domain.policy.model import (
    BillLine,
    CareType,
    Catalogue,
    CatalogueItem,
    Coverage,
    ItemClass,
    ItemKind,
    LineResult,
    Policy,
    SettlementInput,
    SettlementResult,
    TraceStep,
    Usage,
)

__all__ = [
    "BillLine",
    "CareType",
    "Catalogue",
    "CatalogueItem",
    "ChronicDiseaseNotCovered",
    "Coverage",
    "FundPaysNothing",
    "InstitutionNotDesignated",
    "ItemClass",
    "ItemKind",
    "LineResult",
    "NoCatalogue",
    "NoPolicy",
    "Policy",
    "SettlementInput",
    "SettlementResult",
    "TraceStep",
    "UnknownItem",
    "Usage",
    "settle",
    "value_manual_claim",
]
