import time

import pytest

from medins_common.auth import InvalidToken, Role, decode, mint

SECRET = "unit-test-secret-of-sufficient-length-000"


def test_a_minted_token_authenticates_with_its_claims():
    token = mint(secret=SECRET, role=Role.HOSPITAL, subject="h1", institution_code="H1")
    principal = decode(token, secret=SECRET)
    assert principal.role is Role.HOSPITAL
    assert principal.institution_code == "H1"


@pytest.mark.parametrize(
    ("role", "claim"),
    [(Role.HOSPITAL, "institution_code"), (Role.INSURED, "psn_no"), (Role.CLERK, "region")],
)
def test_scoped_roles_need_their_scope(role, claim):
    with pytest.raises(InvalidToken, match=claim):
        mint(secret=SECRET, role=role, subject="x")


def test_a_token_signed_with_another_secret_is_refused():
    token = mint(secret="another-secret-of-sufficient-length-0000", role=Role.ADMIN, subject="a")
    with pytest.raises(InvalidToken):
        decode(token, secret=SECRET)


def test_an_expired_token_is_refused():
    token = mint(secret=SECRET, role=Role.ADMIN, subject="a", ttl_seconds=-10)
    with pytest.raises(InvalidToken, match="expired"):
        decode(token, secret=SECRET)


def test_a_token_accepted_before_is_refused_once_it_expires(monkeypatch):
    token = mint(secret=SECRET, role=Role.ADMIN, subject="a", ttl_seconds=60)
    assert decode(token, secret=SECRET).subject == "a"  # verified, and remembered
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        decode(token, secret=SECRET)


def test_a_token_accepted_under_one_secret_is_refused_under_another():
    token = mint(secret=SECRET, role=Role.ADMIN, subject="a")
    assert decode(token, secret=SECRET).subject == "a"
    with pytest.raises(InvalidToken):
        decode(token, secret="another-secret-of-sufficient-length-0000")
