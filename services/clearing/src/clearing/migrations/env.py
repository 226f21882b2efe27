from clearing.adapters.tables import metadata
from clearing.config import ClearingSettings
from medins_common.migrations import run_env

run_env(metadata, default_url=lambda: ClearingSettings().database_url)
