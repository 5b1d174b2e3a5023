"""The participant declarations endpoints as v1 and v2 serve them, run once per version.

`tests/api/v1/test_v1_declarations.py` and `tests/api/v2/test_v2_declarations.py` import these tests and
define the `version` fixture; each also holds the tests of its own representation. Submit and void share
their rules with v3 (tested in full in `tests/api/v3/`), so these tests sample them.
"""

import copy
import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from declarations import exceptions as texts
from declarations.api.views import DeclarationViewSet
from declarations.models import Declaration
from participants.models import InductionRecord
from statements.models import StatementLineItem
from tests.contracts import assert_matches_contract, validate
from tests.declarations.helpers import attempts, counts, history, nothing_created, ts
from tests.factories.declarations import (
    DeclarationFactory,
    declaration_body,
    output_statement,
    past_statement,
)
from tests.factories.participants import enrol
from tests.factories.partnerships import InductionProgrammeFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

STATES = (
    "submitted",
    "eligible",
    "payable",
    "paid",
    "voided",
    "ineligible",
    "awaiting_clawback",
    "clawed_back",
)
# The v2 contract lists six states; the service renders the real state of all eight.
STATES_MISSING_FROM_V2_CONTRACT = {"awaiting-clawback", "clawed-back"}
NOT_FOUND = {"error": "Resource not Found"}
BAD_STRUCTURE = {
    "errors": [
        {"title": "Bad request", "detail": "correct json data structure required. See API docs for reference"}
    ]
}
DATE = "2024-10-01T09:30:00Z"


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def url(version):
    return f"/api/{version}/participant-declarations"


@pytest.fixture
def statement(lead_provider):
    return output_statement(lead_provider, 2024)


@pytest.fixture
def ect(lead_provider, statement):
    """A fundable 2024 ECT trained by the provider, with an open output statement."""
    return enrol(lead_provider=lead_provider)


def legacy_wire(declaration, version: str) -> dict:
    """The v1 or v2 resource expected for `declaration` (after refresh), attributes in serializer order."""
    state = declaration.state
    attributes = {
        "participant_id": str(declaration.participant_id),
        "declaration_type": declaration.declaration_type,
        "course_identifier": declaration.course_identifier,
    }
    if version == "v1":
        attributes["eligible_for_payment"] = state in ("eligible", "payable")
    attributes["declaration_date"] = ts(declaration.declaration_date)
    attributes["updated_at"] = ts(declaration.updated_at)
    if version == "v1":
        attributes["voided"] = state == "voided"
    attributes["state"] = state.replace("_", "-")
    attributes["has_passed"] = None
    return {"id": str(declaration.id), "type": "participant-declaration", "attributes": attributes}


def assert_contract(response) -> None:
    """The body matches the official contract of its version; in v2 the two states its contract omits
    are the only difference allowed."""
    request = response.wsgi_request
    body = response.json()
    if not request.path.startswith("/api/v2/") or response.status_code != 200:
        assert_matches_contract(response)
        return
    body = copy.deepcopy(body)
    resources = body["data"] if isinstance(body["data"], list) else [body["data"]]
    for resource in resources:
        if resource["attributes"]["state"] in STATES_MISSING_FROM_V2_CONTRACT:
            resource["attributes"]["state"] = "paid"
    validate("v2", request.method, request.path, response.status_code, body)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert_contract(response)
    return [item["id"] for item in response.json()["data"]]


def set_times(declaration, *, created=None, updated=None):
    values = {"created_at": created, "updated_at": updated}
    Declaration.objects.filter(pk=declaration.pk).update(**{k: v for k, v in values.items() if v})
    declaration.refresh_from_db()


def also_trained_by(declaration, lead_provider, **record_fields):
    """The participant also has an induction record with `lead_provider` (a later school move)."""
    return InductionRecord.objects.create(
        training_record=declaration.training_record,
        induction_programme=InductionProgrammeFactory(
            school_cohort=declaration.training_record.school_cohort,
            partnership=PartnershipFactory(lead_provider=lead_provider, cohort=declaration.cohort),
        ),
        schedule=declaration.training_record.schedule,
        start_date=dt.datetime(2024, 12, 1, tzinfo=dt.UTC),
        **record_fields,
    )


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def as_csv_field(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_as_csv(response) -> list[list[str]]:
    """The JSON list as the CSV should carry it: header `id` + attribute names, then one line per item."""
    items = response.json()["data"]
    if not items:
        return []
    header = ["id", *items[0]["attributes"]]
    return [header] + [[item["id"], *map(as_csv_field, item["attributes"].values())] for item in items]


def bulk_add(lead_provider, template, statement, n):
    """`n` more voided declarations like `template`, each with its line, without the factory's cost."""
    rows = Declaration.objects.bulk_create(
        [
            Declaration(
                participant=template.participant,
                training_record=template.training_record,
                lead_provider=lead_provider,
                cohort=template.cohort,
                declaration_type="started",
                declaration_date=template.declaration_date,
                course_identifier="ecf-induction",
                state="voided",
                delivery_partner=template.delivery_partner,
            )
            for _ in range(n)
        ]
    )
    StatementLineItem.objects.bulk_create(
        [
            StatementLineItem(statement=statement, declaration=row, kind="output", state="voided")
            for row in rows
        ]
    )


def page_queries(captured) -> list[dict]:
    """The request's queries less its per-request overhead (the token's once-a-minute `last_used_at` write and
    the rate-limit counter), whose count depends on the clock, not on the page."""
    overhead = ('UPDATE "partnerships_leadprovidertoken"', '"partnerships_ratelimitcounter"')
    return [q for q in captured.captured_queries if not any(marker in q["sql"] for marker in overhead)]


def declaration_queries(captured) -> int:
    return len([q for q in captured.captured_queries if 'FROM "declarations_declaration"' in q["sql"]])


# --- list and show ---------------------------------------------------------------------------------------------


def test_list_in_created_order_with_the_versions_attributes(provider_client, lead_provider, url, version):
    later = DeclarationFactory(lead_provider=lead_provider, eligible=True)
    earlier = DeclarationFactory(lead_provider=lead_provider)
    set_times(later, created=dt.datetime(2024, 10, 2, tzinfo=dt.UTC))
    set_times(earlier, created=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))

    response = provider_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {"data": [legacy_wire(earlier, version), legacy_wire(later, version)]}
    assert_contract(response)
    assert provider_client.get(f"{url}.json").json() == response.json()


def test_every_state_is_rendered_as_it_is(provider_client, lead_provider, url, version):
    made = {state: DeclarationFactory(lead_provider=lead_provider, state=state) for state in STATES}

    response = provider_client.get(url)

    assert_contract(response)
    rendered = {item["id"]: item for item in response.json()["data"]}
    for declaration in made.values():
        declaration.refresh_from_db()
        assert rendered[str(declaration.pk)] == legacy_wire(declaration, version)
        shown = provider_client.get(f"{url}/{declaration.pk}")
        assert shown.json() == {"data": legacy_wire(declaration, version)}
        assert_contract(shown)
    assert [rendered[str(made[s].pk)]["attributes"]["state"] for s in STATES] == [
        "submitted",
        "eligible",
        "payable",
        "paid",
        "voided",
        "ineligible",
        "awaiting-clawback",
        "clawed-back",
    ]


def test_show(provider_client, lead_provider, url, version):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = provider_client.get(f"{url}/{declaration.pk}")

    assert response.status_code == 200
    assert response.json() == {"data": legacy_wire(declaration, version)}
    assert_contract(response)


@pytest.mark.parametrize("pk", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_show_unknown_id(provider_client, url, pk):
    response = provider_client.get(f"{url}/{pk}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert_contract(response)


def test_another_providers_declaration_is_not_found(other_provider_client, lead_provider, url):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    assert ids(other_provider_client.get(url)) == []
    response = other_provider_client.get(f"{url}/{declaration.pk}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert_contract(response)


def test_unauthenticated(anonymous_client, lead_provider, url):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    for response in (
        anonymous_client.get(url),
        anonymous_client.get(f"{url}/{declaration.pk}"),
        anonymous_client.post(url, data={}, format="json"),
    ):
        assert response.status_code == 401
        assert response.json() == {"error": "HTTP Token: Access denied"}
        assert_contract(response)
    voided = anonymous_client.put(f"{url}/{declaration.pk}/void")
    assert voided.status_code == 401
    declaration.refresh_from_db()
    assert declaration.state == "submitted"


# --- filters and pagination ------------------------------------------------------------------------------


def test_participant_id_filter_takes_one_id(provider_client, lead_provider, url):
    first = DeclarationFactory(lead_provider=lead_provider)
    second = DeclarationFactory(lead_provider=lead_provider)

    assert ids(provider_client.get(url, {"filter[participant_id]": str(first.participant_id)})) == [
        str(first.pk)
    ]
    both = f"{first.participant_id},{second.participant_id}"
    assert ids(provider_client.get(url, {"filter[participant_id]": both})) == []
    assert ids(provider_client.get(url, {"filter[participant_id]": "nonsense"})) == []
    assert len(ids(provider_client.get(url, {"filter[participant_id]": ""}))) == 2


def test_updated_since_is_strictly_after(provider_client, lead_provider, url):
    old = DeclarationFactory(lead_provider=lead_provider)
    edge = DeclarationFactory(lead_provider=lead_provider)
    new = DeclarationFactory(lead_provider=lead_provider)
    set_times(old, updated=dt.datetime(2024, 10, 1, 11, 59, 59, tzinfo=dt.UTC))
    set_times(edge, updated=dt.datetime(2024, 10, 1, 12, 0, 0, tzinfo=dt.UTC))
    set_times(new, updated=dt.datetime(2024, 10, 1, 12, 0, 1, tzinfo=dt.UTC))

    assert ids(provider_client.get(url, {"filter[updated_since]": "2024-10-01T12:00:00Z"})) == [str(new.pk)]
    assert ids(provider_client.get(f"{url}?filter[updated_since]=2024-10-01T13:00:00%2B01:00")) == [
        str(new.pk)
    ]
    assert ids(provider_client.get(url, {"filter[updated_since]": "2024-10-01T11:59:59Z"})) == [
        str(edge.pk),
        str(new.pk),
    ]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", "2024-10-01T12:00:00+01:00"])
def test_bad_updated_since(provider_client, url, value):
    response = provider_client.get(f"{url}?filter[updated_since]={value}")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_v3_only_filters_are_ignored(provider_client, lead_provider, url):
    d2023 = DeclarationFactory(lead_provider=lead_provider, year=2023)
    d2024 = DeclarationFactory(lead_provider=lead_provider, year=2024)

    everything = [str(d2023.pk), str(d2024.pk)]
    assert ids(provider_client.get(url, {"filter[cohort]": "2024"})) == everything
    assert ids(provider_client.get(url, {"filter[delivery_partner_id]": "x"})) == everything


def test_filter_must_be_a_hash(provider_client, url):
    response = provider_client.get(url, {"filter": "abc"})

    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}


def test_pagination(provider_client, lead_provider, url):
    made = [DeclarationFactory(lead_provider=lead_provider) for _ in range(3)]
    for index, declaration in enumerate(made):
        set_times(declaration, created=dt.datetime(2024, 10, 1 + index, tzinfo=dt.UTC))

    assert ids(provider_client.get(url, {"page[per_page]": "2"})) == [str(made[0].pk), str(made[1].pk)]
    assert ids(provider_client.get(url, {"page[per_page]": "2", "page[page]": "2"})) == [str(made[2].pk)]
    assert ids(provider_client.get(url, {"page[per_page]": "2", "page[page]": "3"})) == []


@pytest.mark.parametrize("params", [{"page[page]": "0"}, {"page[per_page]": "-1"}, {"page": "2"}])
def test_bad_pagination(provider_client, url, params):
    response = provider_client.get(url, params)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "title": "Bad request",
                "detail": "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid number "
                "(equal and more than 1)",
            }
        ]
    }


# --- visibility: own declarations, and live ones through active or completed records only ------------------


@pytest.mark.parametrize(
    ("induction_status", "visible_in_v1_v2", "visible_in_v3"),
    [
        ("active", True, True),
        ("completed", True, True),
        ("leaving", False, True),
        ("withdrawn", False, False),
    ],
)
def test_other_providers_live_declarations_by_induction_status(
    provider_client,
    lead_provider,
    other_lead_provider,
    url,
    induction_status,
    visible_in_v1_v2,
    visible_in_v3,
):
    declaration = DeclarationFactory(lead_provider=other_lead_provider, eligible=True)
    also_trained_by(declaration, lead_provider, induction_status=induction_status)
    expected = [str(declaration.pk)]

    assert ids(provider_client.get(url)) == (expected if visible_in_v1_v2 else [])
    assert provider_client.get(f"{url}/{declaration.pk}").status_code == (200 if visible_in_v1_v2 else 404)
    v3 = "/api/v3/participant-declarations"
    assert ids(provider_client.get(v3)) == (expected if visible_in_v3 else [])


def test_other_providers_voided_declarations_stay_hidden(
    provider_client, lead_provider, other_lead_provider, url
):
    voided = DeclarationFactory(lead_provider=other_lead_provider, voided=True)
    also_trained_by(voided, lead_provider)
    own = DeclarationFactory(lead_provider=lead_provider, voided=True)

    assert ids(provider_client.get(url)) == [str(own.pk)]


# --- submit ------------------------------------------------------------------------------------------------


def test_submit_fundable_ect(provider_client, ect, statement, url, version):
    response = provider_client.post_json(url, declaration_body(ect.training_record.participant_id))

    assert response.status_code == 200
    declaration = Declaration.objects.get()
    assert declaration.state == "eligible"
    assert response.json() == {"data": legacy_wire(declaration, version)}
    assert_contract(response)
    line = StatementLineItem.objects.get()
    assert (line.statement, line.kind, line.state) == (statement, "output", "eligible")
    assert history(declaration) == [(None, "submitted", None), ("submitted", "eligible", None)]


def test_exact_resubmission_returns_the_same_declaration(provider_client, ect, url):
    body = declaration_body(ect.training_record.participant_id)
    first = provider_client.post_json(url, body)

    again = provider_client.post_json(url, body)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Declaration.objects.count() == 1
    assert attempts() == 2


def test_same_slot_with_another_date_is_refused(provider_client, ect, url):
    provider_client.post_json(url, declaration_body(ect.training_record.participant_id))
    before = counts()

    response = provider_client.post_json(
        url, declaration_body(ect.training_record.participant_id, declaration_date="2024-10-02T09:30:00Z")
    )

    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": "base", "detail": texts.DECLARATION_ALREADY_EXISTS}]}
    assert_contract(response)
    assert counts() == before


def test_empty_attributes_give_three_errors_in_order(provider_client, url):
    response = provider_client.post_json(url, {"data": {"type": "participant-declaration", "attributes": {}}})

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"title": "participant_id", "detail": texts.INVALID_PARTICIPANT},
            {"title": "declaration_date", "detail": texts.MISSING_DECLARATION_DATE},
            {"title": "declaration_type", "detail": texts.MISSING_DECLARATION_TYPE},
        ]
    }
    assert_contract(response)
    assert nothing_created()


def test_future_date_is_refused(provider_client, ect, url):
    response = provider_client.post_json(
        url,
        declaration_body(ect.training_record.participant_id, declaration_date="2024-10-01T09:30:01Z"),
        HTTP_X_WITH_SERVER_DATE=DATE,
    )

    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": "declaration_date", "detail": texts.FUTURE_DATE}]}
    assert nothing_created()


def test_another_providers_participant_is_not_recognised(other_provider_client, ect, url):
    output_statement(other_provider_client.lead_provider, 2024)

    response = other_provider_client.post_json(url, declaration_body(ect.training_record.participant_id))

    assert response.status_code == 422
    assert response.json()["errors"][0] == {"title": "participant_id", "detail": texts.INVALID_PARTICIPANT}
    assert nothing_created()


@pytest.mark.parametrize("body", [{}, {"data": "x"}, []])
def test_bodies_without_a_data_object(provider_client, url, body):
    response = provider_client.post_json(url, body)

    assert response.status_code == 400
    assert response.json() == BAD_STRUCTURE
    assert_contract(response)
    assert nothing_created()


def test_malformed_json(provider_client, url):
    response = provider_client.post(url, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == BAD_STRUCTURE


# --- void ----------------------------------------------------------------------------------------------------


def test_void_submitted(provider_client, lead_provider, url, version):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 200
    declaration.refresh_from_db()
    assert declaration.state == "voided"
    assert response.json() == {"data": legacy_wire(declaration, version)}
    assert_contract(response)
    assert history(declaration)[-1] == ("submitted", "voided", None)


def test_void_paid_declaration_awaits_clawback(provider_client, lead_provider, url, version):
    paid_on = past_statement(lead_provider)
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True, lines=paid_on)
    next_statement = output_statement(lead_provider)

    response = provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 200
    declaration.refresh_from_db()
    assert declaration.state == "awaiting_clawback"
    assert response.json() == {"data": legacy_wire(declaration, version)}
    assert_contract(response)
    clawback = StatementLineItem.objects.get(declaration=declaration, kind="clawback")
    assert (clawback.statement, clawback.state) == (next_statement, "awaiting_clawback")


@pytest.mark.parametrize(
    ("state", "detail"),
    [
        ("voided", "This declaration has already been voided."),
        ("clawed_back", "This declaration has been clawed-back, so you can only view it."),
    ],
)
def test_void_refused(provider_client, lead_provider, url, state, detail):
    declaration = DeclarationFactory(lead_provider=lead_provider, state=state)

    response = provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 422
    assert response.json() == {"errors": [{"title": "Invalid action", "detail": detail}]}
    declaration.refresh_from_db()
    assert declaration.state == state
    assert len(history(declaration)) == 2


def test_void_paid_declaration_without_next_statement_is_refused(provider_client, lead_provider, url):
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True)

    response = provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "title": "Invalid action",
                "detail": "Participant declaration " + texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024),
            }
        ]
    }
    declaration.refresh_from_db()
    assert declaration.state == "paid"


def test_void_another_providers_declaration_is_not_found(other_provider_client, lead_provider, url):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = other_provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    declaration.refresh_from_db()
    assert declaration.state == "submitted"


def test_void_a_visible_previous_providers_declaration_is_not_found(
    provider_client, lead_provider, other_lead_provider, url
):
    declaration = DeclarationFactory(lead_provider=other_lead_provider, eligible=True)
    also_trained_by(declaration, lead_provider)
    assert provider_client.get(f"{url}/{declaration.pk}").status_code == 200

    response = provider_client.put_json(f"{url}/{declaration.pk}/void")

    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.state == "eligible"


@pytest.mark.parametrize("pk", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_void_unknown_id(provider_client, url, pk):
    response = provider_client.put_json(f"{url}/{pk}/void")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- CSV -----------------------------------------------------------------------------------------------------


def test_csv_carries_the_json_list(provider_client, lead_provider, other_lead_provider, url):
    for state in STATES:
        DeclarationFactory(lead_provider=lead_provider, state=state)
    visible = DeclarationFactory(lead_provider=other_lead_provider, paid=True)
    also_trained_by(visible, lead_provider)

    rows = csv_rows(provider_client.get(f"{url}.csv"))

    assert rows == json_as_csv(provider_client.get(url))
    assert len(rows) == 1 + len(STATES) + 1


def test_csv_applies_the_filters_and_ignores_pages(provider_client, lead_provider, url):
    made = [DeclarationFactory(lead_provider=lead_provider) for _ in range(3)]
    set_times(made[0], updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    filters = {"filter[updated_since]": "2024-06-01T00:00:00Z"}

    rows = csv_rows(provider_client.get(f"{url}.csv", {**filters, "page[per_page]": "1", "page[page]": "2"}))

    assert rows == json_as_csv(provider_client.get(url, filters))
    assert [row[0] for row in rows[1:]] == [str(made[1].pk), str(made[2].pk)]
    one = {"filter[participant_id]": str(made[2].participant_id)}
    assert csv_rows(provider_client.get(f"{url}.csv", one)) == json_as_csv(provider_client.get(url, one))
    assert len(csv_rows(provider_client.get(f"{url}.csv", one))) == 2


def test_csv_of_nothing_is_an_empty_body(provider_client, lead_provider, url):
    DeclarationFactory(lead_provider=lead_provider)

    response = provider_client.get(f"{url}.csv", {"filter[participant_id]": "nonsense"})

    assert csv_rows(response) == []


def test_csv_errors_are_json(provider_client, anonymous_client, url):
    unauthenticated = anonymous_client.get(f"{url}.csv")
    bad_filter = provider_client.get(f"{url}.csv", {"filter[updated_since]": "yesterday"})

    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {"error": "HTTP Token: Access denied"}
    assert bad_filter.status_code == 400
    assert bad_filter.json()["errors"][0]["title"] == "Bad request"


def test_csv_is_a_route_of_the_list_only(provider_client, lead_provider, url):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    for response in (
        provider_client.get(f"{url}/{declaration.pk}.csv"),
        provider_client.post_json(f"{url}.csv", declaration_body(declaration.participant_id)),
    ):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert Declaration.objects.count() == 1


# --- queries -------------------------------------------------------------------------------------------------


def test_list_uses_a_constant_number_of_queries_per_page(provider_client, lead_provider, url):
    template = DeclarationFactory(lead_provider=lead_provider, voided=True)
    statement = output_statement(lead_provider)
    filters = {"filter[updated_since]": "2020-01-01T00:00:00Z", "page[per_page]": "3000"}
    query_counts = {}
    provider_client.get(url)  # warm the rate-limit counter, whose first request costs extra queries
    for size, more in ((1, 0), (30, 29), (300, 270)):
        bulk_add(lead_provider, template, statement, more)
        with CaptureQueriesContext(connection) as captured:
            response = provider_client.get(url, filters)
        assert len(ids(response)) == size
        assert declaration_queries(captured) == 1
        query_counts[size] = len(page_queries(captured))

    assert query_counts[1] == query_counts[30] == query_counts[300]


def test_csv_reads_in_batches_of_one_query_each(provider_client, lead_provider, url, monkeypatch):
    monkeypatch.setattr(DeclarationViewSet, "csv_batch_size", 2)
    template = DeclarationFactory(lead_provider=lead_provider, voided=True)
    statement = output_statement(lead_provider)
    provider_client.get(url)  # warm the rate-limit counter
    other_queries = set()
    for size, more in ((1, 0), (4, 3), (7, 3)):
        bulk_add(lead_provider, template, statement, more)
        with CaptureQueriesContext(connection) as captured:
            rows = csv_rows(provider_client.get(f"{url}.csv"))
        assert len(rows) == 1 + size
        # One query per batch of 2; a full last batch costs one more (empty) read.
        assert declaration_queries(captured) == size // 2 + 1
        other_queries.add(len(page_queries(captured)) - declaration_queries(captured))

    assert len(other_queries) == 1


def test_csv_batches_lose_no_row_when_creation_times_tie(provider_client, lead_provider, url, monkeypatch):
    monkeypatch.setattr(DeclarationViewSet, "csv_batch_size", 2)
    template = DeclarationFactory(lead_provider=lead_provider, voided=True)
    bulk_add(lead_provider, template, output_statement(lead_provider), 4)
    Declaration.objects.update(created_at=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))

    rows = csv_rows(provider_client.get(f"{url}.csv"))

    expected = sorted(str(pk) for pk in Declaration.objects.values_list("pk", flat=True))
    assert [row[0] for row in rows[1:]] == expected
    assert rows == json_as_csv(provider_client.get(url))
