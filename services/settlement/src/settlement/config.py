from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class SettlementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore")

    service_name: str = "settlement"
    database_url: str = "sqlite+aiosqlite:///./.data/settlement.db"
    # Group commit: settlements posted at the same time share a transaction, up to this many,
    # in up to this many transactions at a time (each holds a connection of the pool).
    group_commit_max: int = Field(8, ge=1)
    group_commit_concurrent: int = Field(2, ge=1)
