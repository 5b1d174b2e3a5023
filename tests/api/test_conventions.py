"""The cross-cutting API conventions of 01: auth, envelopes, pagination, filters, sorting and the error catalogue."""

import datetime as dt

import pytest
from django.utils import timezone

from partnerships.models import DeliveryPartner, LeadProviderToken
from tests.factories.partnerships import DeliveryPartnerFactory, ProviderRelationshipFactory, cohort

pytestmark = pytest.mark.django_db

LIST = "/api/v3/delivery-partners"
ACCESS_DENIED = {"error": "HTTP Token: Access denied"}
NOT_FOUND = {"error": "Resource not Found"}
PAGINATION = {
    "errors": [
        {
            "title": "Bad request",
            "detail": "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid number "
            "(equal and more than 1)",
        }
    ]
}


def partners(lead_provider, count, year=2024):
    created = []
    for index in range(count):
        partner = DeliveryPartnerFactory(name=f"Partner {index:03d}")
        ProviderRelationshipFactory(
            lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(year)
        )
        created.append(partner)
    return created


def ids(response):
    return [item["id"] for item in response.json()["data"]]


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "bearer whatever",
        "Bearer unknown-token",
        'Token token="nope"',
    ],
)
def test_missing_malformed_or_unknown_token_is_401(anonymous_client, header):
    if header is not None:
        anonymous_client.credentials(HTTP_AUTHORIZATION=header)
    response = anonymous_client.get(LIST)
    assert response.status_code == 401
    assert response.json() == ACCESS_DENIED
    assert response["WWW-Authenticate"] == 'Token realm="Application"'
    assert response["Content-Type"] == "application/vnd.api+json"


def test_token_scheme_and_quoted_form_are_accepted(anonymous_client, provider_client, lead_provider):
    from tests.factories.partnerships import LeadProviderTokenFactory

    _, raw = LeadProviderTokenFactory.issue(lead_provider)
    for header in (f"Token {raw}", f'Token token="{raw}"', f"Bearer {raw}"):
        anonymous_client.credentials(HTTP_AUTHORIZATION=header)
        assert anonymous_client.get(LIST).status_code == 200


def test_revoked_token_is_refused_on_the_next_request(provider_client):
    assert provider_client.get(LIST).status_code == 200
    LeadProviderToken.objects.filter(pk=provider_client.token.pk).update(revoked_at=timezone.now())
    response = provider_client.get(LIST)
    assert response.status_code == 401
    assert response.json() == ACCESS_DENIED


def test_a_provider_may_hold_several_live_tokens(lead_provider, anonymous_client):
    from tests.factories.partnerships import LeadProviderTokenFactory

    raws = [LeadProviderTokenFactory.issue(lead_provider)[1] for _ in range(2)]
    for raw in raws:
        anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert anonymous_client.get(LIST).status_code == 200


def test_successful_lookup_records_last_use(provider_client):
    assert provider_client.token.last_used_at is None
    provider_client.get(LIST)
    provider_client.token.refresh_from_db()
    assert provider_client.token.last_used_at is not None


def test_only_a_digest_of_the_token_is_stored(lead_provider):
    from config.actors import Actor
    from partnerships.services import token_issue

    token, raw = token_issue(lead_provider=lead_provider, label="x", actor=Actor.command("test"))
    assert len(raw) >= 43  # 32 random bytes, base64url
    assert raw not in token.digest
    assert token.digest == LeadProviderToken.digest_of(raw)
    assert not LeadProviderToken.history.filter(id=token.pk).values().first().get("digest")


def test_authentication_runs_before_parameter_parsing(anonymous_client):
    response = anonymous_client.get(LIST, {"filter": "abc", "page[page]": "0"})
    assert response.status_code == 401
    response = anonymous_client.get(f"{LIST}/not-a-uuid")
    assert response.status_code == 401


# --- envelopes and routing ----------------------------------------------------------------


def test_unknown_api_route_is_a_json_404(provider_client, anonymous_client):
    for client in (provider_client, anonymous_client):
        response = client.get("/api/v3/no-such-thing")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        assert response["Content-Type"] == "application/vnd.api+json"


def test_unsupported_method_on_a_known_route_is_a_json_404(provider_client):
    response = provider_client.delete(LIST)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_unknown_or_malformed_id_is_a_json_404(provider_client):
    for path in (f"{LIST}/not-a-uuid", f"{LIST}/00000000-0000-0000-0000-000000000000"):
        response = provider_client.get(path)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_json_suffix_means_the_same(provider_client, lead_provider):
    (partner,) = partners(lead_provider, 1)
    assert provider_client.get(f"{LIST}.json").json() == provider_client.get(LIST).json()
    assert provider_client.get(f"{LIST}/{partner.id}.json").status_code == 200


def test_response_media_type_ignores_the_accept_header(provider_client):
    response = provider_client.get(LIST, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"


def test_unhandled_error_is_a_json_500(provider_client, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("partnerships.api.v3.delivery_partner_list", explode)
    response = provider_client.get(LIST)
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}
    assert response["Content-Type"] == "application/vnd.api+json"


def test_empty_collection_is_an_empty_data_array(provider_client):
    response = provider_client.get(LIST)
    assert response.status_code == 200
    assert response.json() == {"data": []}


# --- pagination ---------------------------------------------------------------------------------


def test_default_page_is_100_items(provider_client, lead_provider):
    partners(lead_provider, 101)
    assert len(ids(provider_client.get(LIST))) == 100
    assert len(ids(provider_client.get(LIST, {"page[page]": "2"}))) == 1


def test_pages_are_stable_and_countless(provider_client, lead_provider):
    created = partners(lead_provider, 5)
    pages = [ids(provider_client.get(LIST, {"page[page]": p, "page[per_page]": 2})) for p in (1, 2, 3, 4)]
    assert pages == [
        [str(created[0].id), str(created[1].id)],
        [str(created[2].id), str(created[3].id)],
        [str(created[4].id)],
        [],
    ]


def test_per_page_above_the_cap_is_capped_silently(provider_client, lead_provider):
    partners(lead_provider, 3)
    response = provider_client.get(LIST, {"page[per_page]": "999999"})
    assert response.status_code == 200
    assert len(ids(response)) == 3


def test_ruby_integer_parsing_uses_leading_digits(provider_client, lead_provider):
    partners(lead_provider, 3)
    response = provider_client.get(LIST, {"page[per_page]": "2abc", "page[page]": "1x"})
    assert response.status_code == 200
    assert len(ids(response)) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"page[page]": "0"},
        {"page[page]": "-1"},
        {"page[page]": "abc"},
        {"page[per_page]": "0"},
        {"page[per_page]": "x"},
        {"page[per_page]": ""},
        {"page": "2"},
    ],
)
def test_bad_pagination_is_the_exact_400(provider_client, params):
    response = provider_client.get(LIST, params)
    assert response.status_code == 400
    assert response.json() == PAGINATION


# --- filters ------------------------------------------------------------------------------------


def test_filter_given_as_a_scalar_is_a_bad_parameter(provider_client):
    response = provider_client.get(LIST, {"filter": "abc"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}


def test_cohort_filter_takes_a_comma_list(provider_client, lead_provider):
    (p2022,) = partners(lead_provider, 1, year=2022)
    (p2023,) = partners(lead_provider, 1, year=2023)
    (p2024,) = partners(lead_provider, 1, year=2024)
    assert set(ids(provider_client.get(LIST, {"filter[cohort]": "2022,2024"}))) == {
        str(p2022.id),
        str(p2024.id),
    }
    assert ids(provider_client.get(LIST, {"filter[cohort]": "2023"})) == [str(p2023.id)]
    assert ids(provider_client.get(LIST, {"filter[cohort]": "1999"})) == []
    assert ids(provider_client.get(LIST, {"filter[cohort]": "abc"})) == []
    assert len(ids(provider_client.get(LIST, {"filter[cohort]": ""}))) == 3


def test_unknown_filter_keys_and_query_parameters_are_ignored(provider_client, lead_provider):
    partners(lead_provider, 2)
    response = provider_client.get(LIST, {"filter[colour]": "blue", "whatever": "1"})
    assert response.status_code == 200
    assert len(ids(response)) == 2


# --- sorting ------------------------------------------------------------------------------------


def test_sort_by_columns_with_direction_and_primary_key_tiebreak(provider_client, lead_provider):
    created = partners(lead_provider, 3)
    same_instant = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    DeliveryPartner.objects.filter(pk__in=[p.pk for p in created]).update(created_at=same_instant)
    by_pk = sorted(str(p.id) for p in created)
    assert ids(provider_client.get(LIST, {"sort": "created_at"})) == by_pk
    assert ids(provider_client.get(LIST, {"sort": "-created_at"})) == by_pk
    assert ids(provider_client.get(LIST, {"sort": "-name"})) == [str(p.id) for p in reversed(created)]
    assert ids(provider_client.get(LIST, {"sort": "%2Bname"})) == by_pk  # undecoded "%2B" is not a column


def test_unknown_sort_fields_are_ignored(provider_client, lead_provider):
    created = partners(lead_provider, 3)
    response = provider_client.get(LIST, {"sort": "colour,-nothing"})
    assert response.status_code == 200
    assert ids(response) == [str(p.id) for p in created]


# --- sandbox time travel ----------------------------------------------------------------------------


def test_server_date_header_shifts_now_for_that_request_only(provider_client, settings):
    from config import clock

    seen = []

    def spy(**kwargs):
        seen.append(clock.now())
        return DeliveryPartner.objects.none()

    import partnerships.api.v3 as v3

    original = v3.delivery_partner_list
    v3.delivery_partner_list = spy
    try:
        provider_client.get(LIST, HTTP_X_WITH_SERVER_DATE="2030-01-02T03:04:05Z")
        travelled = seen[-1]
        settings.SANDBOX = False
        provider_client.get(LIST, HTTP_X_WITH_SERVER_DATE="2030-01-02T03:04:05Z")
        ignored = seen[-1]
        provider_client.get(LIST)
        after = seen[-1]
    finally:
        v3.delivery_partner_list = original
    assert travelled == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert ignored.year != 2030
    assert after.year != 2030


def test_bad_server_date_header_is_a_400(provider_client):
    response = provider_client.get(LIST, HTTP_X_WITH_SERVER_DATE="yesterday")
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


# --- audit of API writes --------------------------------------------------------------------------


def test_errors_are_audited_without_headers(provider_client):
    from partnerships.models import ApiRequest

    provider_client.get(LIST, {"page[page]": "0"})
    audit = ApiRequest.objects.get()
    assert (audit.method, audit.path, audit.status_code) == ("GET", LIST, 400)
    assert audit.response_body == PAGINATION
    assert audit.lead_provider == provider_client.lead_provider


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01T12:00:00Z", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T13:00:00%2B01:00", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T13:00:00+01:00", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T12:00:00.123Z", dt.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=dt.UTC)),
        ("2024-05-01T12:00:00", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01", dt.datetime(2024, 5, 1, tzinfo=dt.UTC)),
    ],
)
def test_updated_since_accepts_rfc3339_forms(value, expected):
    from config.api.params import parse_updated_since

    assert parse_updated_since(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-01T12:00:00 01:00", "2024-02-30", "1"])
def test_updated_since_rejects_anything_else(value):
    from config.api.params import parse_updated_since
    from config.errors import BadRequestError

    with pytest.raises(BadRequestError) as raised:
        parse_updated_since(value)
    assert raised.value.detail == "The filter '#/updated_since' must be a valid RCF3339 date"


@pytest.mark.parametrize("method", ["delete", "patch", "options", "post"])
def test_unsupported_method_is_an_unknown_route_even_without_a_token(anonymous_client, method):
    response = getattr(anonymous_client, method)(LIST)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
