"""``mint-token``: print a development bearer token.

Example: ``uv run mint-token --role hospital --institution H11010100001``.
Uses ``JWT_SECRET`` from the environment, or the documented development secret.
"""

from __future__ import annotations

import argparse

from medins_common.auth import Role, mint
from medins_common.settings import ServiceSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mint-token", description=__doc__.splitlines()[0])
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--sub", help="subject (defaults to the role and its scope)")
    parser.add_argument("--institution", help="hospital: the institution code it acts for")
    parser.add_argument("--psn-no", help="insured person: their person number")
    parser.add_argument("--region", help="clerk: the agency's region code, e.g. 120000")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    role = Role(args.role)
    subject = args.sub or ":".join(
        filter(None, [role.value, args.institution or args.psn_no or args.region])
    )
    secret = ServiceSettings().jwt_secret.get_secret_value()
    print(
        mint(
            secret=secret,
            role=role,
            subject=subject,
            institution_code=args.institution,
            psn_no=args.psn_no,
            region=args.region,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
