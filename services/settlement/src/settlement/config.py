from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class SettlementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore")

    service_name: str = "settlement"
    database_url: str = "sqlite+aiosqlite:///./.data/settlement.db"
