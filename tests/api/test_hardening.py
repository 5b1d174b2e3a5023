"""Hostile or careless requests: what the audit keeps of them, a forged Host, and the admin login throttle."""

import json

import pytest
from django.test import Client

from partnerships.models import ApiRequest

pytestmark = pytest.mark.django_db

URL = "/api/v3/partnerships/ecf"


def post_raw(client, text: str, **extra):
    return client.post(URL, data=text, content_type="application/json", **extra)


def partnership_body(**attributes) -> dict:
    return {"data": {"type": "ecf-partnership", "attributes": attributes}}


# -- the audit ----------------------------------------------------------------------------------------------


def test_a_write_carrying_nul_is_audited_with_the_nul_written_as_an_escape(provider_client):
    text = json.dumps(partnership_body(cohort="2024\x00", school_id="\x00", **{"odd\x00key": 1}))

    response = post_raw(provider_client, text)

    assert response.status_code == 422
    audit = ApiRequest.objects.get()
    assert (audit.method, audit.path, audit.status_code) == ("POST", URL, 422)
    assert audit.request_body == partnership_body(
        cohort="2024\\u0000", school_id="\\u0000", **{"odd\\u0000key": 1}
    )
    assert audit.response_body == response.json()


def test_a_write_carrying_an_unpaired_surrogate_is_audited_with_it_escaped(provider_client):
    response = post_raw(
        provider_client, '{"data": {"type": "ecf-partnership", "attributes": {"cohort": "\\ud800"}}}'
    )

    assert response.status_code == 422
    assert ApiRequest.objects.get().request_body == partnership_body(cohort="\\ud800")


def test_a_path_carrying_nul_is_audited_with_the_nul_written_as_an_escape(provider_client):
    response = provider_client.get("/api/v3/delivery-partners/abc%00def", {"q": "\x00"})

    assert response.status_code == 404
    audit = ApiRequest.objects.get()
    assert (audit.path, audit.query_string) == ("/api/v3/delivery-partners/abc\\u0000def", "q=%00")


def test_a_body_that_is_not_json_is_audited_as_text(provider_client):
    response = post_raw(provider_client, "not json\x00 at all")

    assert response.status_code == 400
    assert ApiRequest.objects.get().request_body == {"unparsed": "not json\\u0000 at all"}


def test_a_token_in_the_body_or_the_query_string_never_reaches_the_audit(provider_client):
    raw = provider_client._credentials["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    body = partnership_body(
        cohort=f"2024 {raw}",
        school_id=["a", {"note": f"Authorization: Bearer {'x' * 43}"}],
        api_token="anything at all",
        Password=None,
    )

    response = provider_client.post(
        f"{URL}?token={raw}", data=json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 422
    audit = ApiRequest.objects.get()
    assert audit.query_string == "token=[REDACTED]"
    assert audit.request_body == partnership_body(
        cohort="2024 [REDACTED]",
        school_id=["a", {"note": "Authorization: Bearer [REDACTED]"}],
        api_token="[REDACTED]",
        Password=None,
    )
    assert raw not in json.dumps(audit.request_body) + audit.query_string + audit.path


# -- Host header --------------------------------------------------------------------------------------------


def test_an_api_request_with_a_host_this_service_does_not_answer_for_gets_the_json_400(provider_client):
    response = provider_client.get("/api/v3/delivery-partners", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "errors": [
            {
                "title": "Bad request",
                "detail": "The Host header names a host this service does not answer for",
            }
        ]
    }


def test_elsewhere_a_bad_host_gets_djangos_own_400():
    response = Client().get("/admin/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# -- admin login --------------------------------------------------------------------------------------------


def login(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
    )


def test_admin_login_is_throttled_per_account_and_address(finance_user, support_user):
    for _ in range(4):
        assert login("finance", "wrong", "192.0.2.1").status_code == 200  # the form again, with an error
    assert login("finance", "wrong", "192.0.2.1").status_code == 429  # the fifth failure locks

    locked = login("finance", "finance-pass", "192.0.2.1")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()

    # The same account from elsewhere, and another account from the same address, still log in.
    assert login("finance", "finance-pass", "192.0.2.2").status_code == 302
    assert login("support", "support-pass", "192.0.2.1").status_code == 302


def test_a_successful_login_clears_earlier_failures(finance_user):
    for _ in range(4):
        login("finance", "wrong", "192.0.2.1")
    assert login("finance", "finance-pass", "192.0.2.1").status_code == 302

    for _ in range(4):
        login("finance", "wrong", "192.0.2.1")
    assert login("finance", "finance-pass", "192.0.2.1").status_code == 302


def test_a_staff_session_lasts_a_working_day(finance_user):
    response = login("finance", "finance-pass", "192.0.2.1")

    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
