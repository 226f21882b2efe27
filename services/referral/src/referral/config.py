from pydantic_settings import SettingsConfigDict

from medins_common.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")

    service_name: str = "referral"
    database_url: str = "sqlite+aiosqlite:///./.data/referral.db"
