from clearing.bootstrap import SERVICE
from medins_common.cli import run_cli

run_cli(SERVICE)
