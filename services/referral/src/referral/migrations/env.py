from medins_common.migrations import run_env
from referral.adapters.tables import metadata
from referral.config import ReferralSettings

run_env(metadata, default_url=lambda: ReferralSettings().database_url)
