"""The printable result (D-R1, Art. 17) and the public check of its verification code."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from devstack.testing import bearer

from ..conftest import ADMIN, BEIJING_L3, TIANJIN_L3, assert_problem, hospital

OWNER = bearer("insured", psn_no="P0001")
_STREAM = re.compile(rb"stream\r?\n(.*?)\s*endstream", re.DOTALL)


def page_text(pdf: bytes) -> bytes:
    """Every stream of the PDF, decoded as reportlab writes them (ASCII85, then Flate)."""
    return b"\n".join(_decoded(stream) for stream in _STREAM.findall(pdf))


def _decoded(stream: bytes) -> bytes:
    try:
        return zlib.decompress(base64.a85decode(stream, adobe=True))
    except (ValueError, zlib.error):  # not ASCII85, or not Flate: as it is
        return stream


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


async def printout(world, referral_id: str, headers=OWNER):
    return await world.client.get(f"/v1/referrals/{referral_id}/print", headers=headers)


async def test_d_r1_the_patient_prints_the_issued_referral_as_a_one_page_pdf_with_its_code(world):
    issued = await world.issue()
    response = await printout(world, issued["referral_id"])

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f"referral-{issued['referral_id']}.pdf" in response.headers["content-disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1
    text = page_text(pdf)
    assert issued["verification_code"].encode() in text
    assert issued["referral_id"].encode() in text
    assert b"STSong-Light" in pdf  # the Chinese text is set in the CID font


@pytest.mark.parametrize(
    "headers", [hospital(), hospital(BEIJING_L3), ADMIN], ids=["issuer", "target", "admin"]
)
async def test_those_who_may_read_the_referral_may_print_it(world, headers):
    issued = await world.issue()
    assert (await printout(world, issued["referral_id"], headers)).status_code == 200


async def test_another_person_cannot_print_it(world):
    issued = await world.issue()
    response = await printout(world, issued["referral_id"], bearer("insured", psn_no="P0002"))
    assert_problem(response, 403, "not_own_record")


@pytest.mark.parametrize("revoked", [False, True], ids=["draft", "revoked"])
async def test_only_an_issued_referral_is_printed(world, revoked):
    referral_id = (await world.create()).json()["referral_id"]
    if revoked:
        await world.revoke(referral_id)
    response = await printout(world, referral_id, hospital(TIANJIN_L3))
    assert_problem(response, 409, "referral_not_issued")


async def verify(world, code: str):
    return await world.client.get(f"/v1/referrals/verify/{code}")  # no token: public


@pytest.mark.parametrize(
    "form",
    [lambda code: code, lambda code: code.replace("-", ""), lambda code: code.lower()],
    ids=["as-printed", "without-dashes", "lower-case"],
)
async def test_a_printed_code_is_verified_genuine_without_a_token(world, form):
    issued = await world.issue()
    response = await verify(world, form(issued["verification_code"]))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["genuine"] is True
    assert body["status"] == "issued"
    assert body["patient_name_masked"] == "张*"
    assert body["issuing_institution"] == {"code": TIANJIN_L3[0], "name": TIANJIN_L3[1]}
    assert body["target_institution"]["code"] == BEIJING_L3[0]
    assert body["valid_to"] == issued["valid_to"]
    # A public answer: nothing about the illness, nor the person number.
    assert not {"diagnosis_code", "diagnosis_name", "reason", "psn_no"} & set(body)
    assert "C34.1" not in response.text
    assert "肺" not in response.text
    assert "P0001" not in response.text


async def test_a_code_no_issued_referral_carries_is_not_genuine(world):
    response = await verify(world, "0000-0000-0000-0000")
    assert response.status_code == 200
    assert response.json() == {
        "verification_code": "0000000000000000",
        "genuine": False,
        "status": None,
        "patient_name_masked": None,
        "issuing_institution": None,
        "target_institution": None,
        "valid_from": None,
        "valid_to": None,
    }


async def test_a_drafts_code_is_not_genuine(world):
    from referral.domain.verification import grouped, verification_code

    referral_id = (await world.create()).json()["referral_id"]
    code = verification_code(referral_id, key=world.runtime.settings.id_hash_key.get_secret_value())
    assert (await verify(world, grouped(code))).json()["genuine"] is False


async def test_a_revoked_or_expired_referral_is_genuine_but_says_so(world):
    revoked = await world.issue()
    await world.revoke(revoked["referral_id"])
    expired = await world.issue()
    await world.expire(expired["referral_id"])

    assert (await verify(world, revoked["verification_code"])).json()["status"] == "revoked"
    assert (await verify(world, expired["verification_code"])).json()["status"] == "expired"


@pytest.mark.parametrize("code", ["12345", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "0000-0000-0000-00000"])
async def test_a_malformed_code_is_422(world, code):
    assert_problem(await verify(world, code), 422, "validation_error", field="code")
