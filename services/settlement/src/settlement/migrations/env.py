from medins_common.migrations import run_env
from settlement.adapters.tables import metadata
from settlement.config import SettlementSettings

run_env(metadata, default_url=lambda: SettlementSettings().database_url)
