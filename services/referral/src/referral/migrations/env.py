from referral.adapters.tables import metadata
from referral.config import ReferralSettings
from medins_common.migrations import run_env

run_env(metadata, default_url=lambda: ReferralSettings().database_url)
