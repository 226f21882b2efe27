from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class ClearingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARING_", extra="ignore")

    service_name: str = "clearing"
    database_url: str = "sqlite+aiosqlite:///./.data/clearing.db"
    # Period totals for three-way reconciliation come from settlement over HTTP.
    settlement_base_url: str = Field(
        "http://127.0.0.1:8003", validation_alias=AliasChoices("SETTLEMENT_BASE_URL")
    )
