from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class ClearingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLEARING_", extra="ignore")

    service_name: str = "clearing"
    database_url: str = "sqlite+aiosqlite:///./.data/clearing.db"
