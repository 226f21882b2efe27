"""Bearer JWTs with roles (ARCHITECTURE.md, convention 7). Pure: no web framework here."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

ALGORITHM = "HS256"
ISSUER = "medins-platform"


class Role(StrEnum):
    INSURED = "insured"  # an insured person, on the app or a mini-program
    CLERK = "clerk"  # agency staff of one region
    HOSPITAL = "hospital"  # a designated hospital or pharmacy
    ADMIN = "admin"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    institution_code: str | None = None  # hospital: the institution it acts for
    psn_no: str | None = None  # insured person: their own person number
    region: str | None = None  # clerk: the agency's region

    def is_person(self, psn_no: str) -> bool:
        return self.role is Role.INSURED and self.psn_no == psn_no


class InvalidToken(Exception):
    pass


_REQUIRED_CLAIM = {
    Role.HOSPITAL: "institution_code",
    Role.INSURED: "psn_no",
    Role.CLERK: "region",
}


def mint(
    *,
    secret: str,
    role: Role,
    subject: str,
    institution_code: str | None = None,
    psn_no: str | None = None,
    region: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "role": role.value,
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    for name, value in (
        ("institution_code", institution_code),
        ("psn_no", psn_no),
        ("region", region),
    ):
        if value:
            claims[name] = value
    principal_from_claims(claims)  # refuse to mint a token that would not authenticate
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode(token: str, *, secret: str) -> Principal:
    principal, expires_at = _verified(token, secret)
    if expires_at <= time.time():
        raise InvalidToken("Signature has expired")
    return principal


# A client sends the same token with every request until it expires: its signature and
# claims are checked once, and only its expiry again. Refusals are not cached (an exception
# leaves no entry), so a bad token is checked, and refused, every time.
@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[Principal, int]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "role"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    # Whole seconds, as PyJWT itself reads ``exp`` when it checks it.
    return principal_from_claims(claims), int(claims["exp"])  # type: ignore[call-overload]


def principal_from_claims(claims: dict[str, object]) -> Principal:
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise InvalidToken(f"unknown role {claims.get('role')!r}") from exc
    required = _REQUIRED_CLAIM.get(role)
    if required and not claims.get(required):
        raise InvalidToken(f"a {role.value} token needs the {required} claim")
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        institution_code=_str_or_none(claims.get("institution_code")),
        psn_no=_str_or_none(claims.get("psn_no")),
        region=_str_or_none(claims.get("region")),
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
