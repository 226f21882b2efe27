from medins_common.migrations import run_env
from settlement.adapters import reference_tables  # noqa: F401  (its tables join metadata)
from settlement.adapters.tables import metadata
from settlement.config import SettlementSettings

run_env(metadata, default_url=lambda: SettlementSettings().database_url)
