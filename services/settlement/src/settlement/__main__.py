from medins_common.cli import run_cli
from settlement.bootstrap import SERVICE

run_cli(SERVICE)
