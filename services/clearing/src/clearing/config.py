from datetime import timedelta
from decimal import Decimal

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
    settlement_timeout_seconds: float = 10.0
    # A clearing run's worker renews its lease as it works; a run whose lease ran out (its
    # process died) resumes when an admin asks for the period again.
    run_lease_seconds: int = 60
    # Advance funds 预付金: warn when what is left falls below this share of the last advance
    # (national practice warns at 70 % used); suggest the next advance as the average monthly
    # use of the latest cleared months times the months it should cover.
    advance_warning_share: Decimal = Decimal("0.30")
    advance_suggestion_months: int = 3
    advance_cover_months: int = 2

    @property
    def run_lease(self) -> timedelta:
        return timedelta(seconds=self.run_lease_seconds)
