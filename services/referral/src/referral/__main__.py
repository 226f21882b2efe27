from medins_common.cli import run_cli
from referral.bootstrap import SERVICE

run_cli(SERVICE)
