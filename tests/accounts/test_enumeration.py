"""No enumeration: every sign-in path answers a staff member's number or username exactly as
it answers an unknown one (or an applicant's): same status, same page, same message, the
same records written; a staff member's number is never sent a code, and never signs in."""

from __future__ import annotations

import re

import pytest

from accord.accounts.models import SignInCode
from accord.accounts.services import signin_code_request, signin_code_verify
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash
from tests.accounts.conftest import IP, PASSWORD, actions, counts, last_code, make_applicant

UNKNOWN = "13600000006"


def phone_signin(client, phone: str) -> tuple[int, str, str, list[str]]:
    """What a visitor sees of the phone form's answer and the code page after it."""
    response = client.post("/en/accounts/signin/", {"phone": phone})
    location = response["Location"] if response.status_code == 302 else ""
    page = client.get("/en/accounts/signin/code/")
    body = page.content.decode()
    notes = [str(m) for m in page.context["messages"]]
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return response.status_code, location, body, notes


def test_the_phone_form_answers_a_staff_number_like_an_unknown_one(client, bob, outbox):
    before = counts()
    staff = phone_signin(client, bob.phone)
    other = client.__class__()
    unknown = phone_signin(other, UNKNOWN)
    assert staff[0] == unknown[0] == 302
    assert staff[1] == unknown[1] == "/en/accounts/signin/code/"
    assert staff[3] == ["We sent a code to 137****0002."]
    assert unknown[3] == ["We sent a code to 136****0006."]
    # The code pages differ only in the masked number.
    assert staff[2].replace("137****0002", "#") == unknown[2].replace("136****0006", "#")
    # Both requests stored a code; only the unknown number got a text.
    assert counts()["codes"] == before["codes"] + 2
    assert [m.phone for m in outbox] == [UNKNOWN]


def test_a_staff_number_gets_the_same_limits_as_any_other(bob, db, outbox):
    signin_code_request(phone=bob.phone, client_ip=IP)
    signin_code_request(phone=UNKNOWN, client_ip=IP)
    refusals = []
    for phone in (bob.phone, UNKNOWN):
        with pytest.raises(ServiceError) as caught:
            signin_code_request(phone=phone, client_ip=IP)
        refusals.append((caught.value.code, caught.value.http_status))
    assert refusals[0] == refusals[1] == ("resend_too_soon", 429)


def test_a_staff_numbers_code_fails_like_a_wrong_code_whatever_is_typed(bob, db, outbox):
    applicant = make_applicant(phone="13900000008")
    staff_phone, applicant_phone = str(bob.phone), str(applicant.phone)
    signin_code_request(phone=staff_phone, client_ip=IP)
    signin_code_request(phone=applicant_phone, client_ip=IP)
    wrong = "000001" if last_code(outbox, applicant_phone) != "000001" else "000002"
    answers = []
    for phone in (staff_phone, applicant_phone):
        with pytest.raises(ServiceError) as caught:
            signin_code_verify(phone=phone, code=wrong, client_ip=IP)
        answers.append((caught.value.code, caught.value.message, caught.value.fields))
    assert answers[0] == answers[1]
    assert answers[0][0] == "code_wrong"
    assert SignInCode.objects.get(phone_lookup=lookup_hash(bob.phone)).used_at is None
    assert actions(bob)[-1] == "signin.failed"


def test_the_staff_numbers_request_is_traced_for_the_account_holder(bob, db, outbox):
    signin_code_request(phone=bob.phone, client_ip=IP)
    assert actions(bob) == ["signin.code_requested"]


@pytest.mark.parametrize("known", [True, False])
def test_the_password_form_answers_a_wrong_password_alike_for_any_username(client, alice, known):
    response = client.post(
        "/en/accounts/staff/signin/",
        {"username": "alice" if known else "nobody-here", "password": PASSWORD + "x"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["Wrong username or password."]}


def test_a_staff_member_signs_in_by_phone_never(client, bob, outbox):
    client.post("/en/accounts/signin/", {"phone": bob.phone})
    for code in ("000000", "123456", "999999"):
        client.post("/en/accounts/signin/code/", {"code": code})
    assert "_auth_user_id" not in client.session
    assert outbox == []
