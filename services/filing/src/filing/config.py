from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class FilingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FILING_", extra="ignore")

    service_name: str = "filing"
    database_url: str = "sqlite+aiosqlite:///./.data/filing.db"
