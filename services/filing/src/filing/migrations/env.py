from filing.adapters.tables import metadata
from filing.config import FilingSettings
from medins_common.migrations import run_env

run_env(metadata, default_url=lambda: FilingSettings().database_url)
