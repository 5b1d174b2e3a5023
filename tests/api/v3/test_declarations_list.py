"""GET /api/v3/participant-declarations and /{id}."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from declarations.models import Declaration
from participants.models import InductionRecord
from statements.models import StatementLineItem
from tests.declarations.helpers import URL, wire
from tests.factories.declarations import DeclarationFactory, output_statement
from tests.factories.partnerships import InductionProgrammeFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def set_times(declaration, *, created=None, updated=None):
    values = {}
    if created:
        values["created_at"] = created
    if updated:
        values["updated_at"] = updated
    Declaration.objects.filter(pk=declaration.pk).update(**values)
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


def test_list_shows_every_attribute_in_created_order(provider_client, lead_provider):
    later = DeclarationFactory(lead_provider=lead_provider, eligible=True)
    earlier = DeclarationFactory(lead_provider=lead_provider)
    set_times(later, created=dt.datetime(2024, 10, 2, tzinfo=dt.UTC))
    set_times(earlier, created=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))
    statement = StatementLineItem.objects.get(declaration=later).statement

    response = provider_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {"data": [wire(earlier), wire(later, statement_id=str(statement.id))]}


def test_states_are_hyphenated(provider_client, lead_provider):
    DeclarationFactory(lead_provider=lead_provider, awaiting_clawback=True)
    DeclarationFactory(lead_provider=lead_provider, clawed_back=True)

    states = [item["attributes"]["state"] for item in provider_client.get(URL).json()["data"]]

    assert states == ["awaiting-clawback", "clawed-back"]


def test_clawed_back_declaration_shows_both_statements(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, clawed_back=True)
    lines = {
        line.kind: line.statement_id for line in StatementLineItem.objects.filter(declaration=declaration)
    }

    attributes = provider_client.get(f"{URL}/{declaration.pk}").json()["data"]["attributes"]

    assert attributes["statement_id"] == str(lines["output"])
    assert attributes["clawback_statement_id"] == str(lines["clawback"])


def test_ineligible_without_duplicate_reason_shows_null(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, ineligible=True)

    attributes = provider_client.get(f"{URL}/{declaration.pk}").json()["data"]["attributes"]

    assert attributes["ineligible_for_funding_reason"] is None


def test_cohort_filter(provider_client, lead_provider):
    d2022 = DeclarationFactory(lead_provider=lead_provider, year=2022)
    d2023 = DeclarationFactory(lead_provider=lead_provider, year=2023)
    d2024 = DeclarationFactory(lead_provider=lead_provider, year=2024)

    assert ids(provider_client.get(URL, {"filter[cohort]": "2022,2023"})) == [str(d2022.pk), str(d2023.pk)]
    assert ids(provider_client.get(URL, {"filter[cohort]": "2024"})) == [str(d2024.pk)]
    assert ids(provider_client.get(URL, {"filter[cohort]": "1999,abc"})) == []
    assert len(ids(provider_client.get(URL, {"filter[cohort]": ""}))) == 3
    assert len(ids(provider_client.get(URL))) == 3


def test_updated_since_is_inclusive(provider_client, lead_provider):
    old = DeclarationFactory(lead_provider=lead_provider)
    edge = DeclarationFactory(lead_provider=lead_provider)
    new = DeclarationFactory(lead_provider=lead_provider)
    set_times(old, updated=dt.datetime(2024, 10, 1, 11, 59, 59, tzinfo=dt.UTC))
    set_times(edge, updated=dt.datetime(2024, 10, 1, 12, 0, 0, tzinfo=dt.UTC))
    set_times(new, updated=dt.datetime(2024, 10, 2, tzinfo=dt.UTC))

    assert ids(provider_client.get(URL, {"filter[updated_since]": "2024-10-01T12:00:00Z"})) == [
        str(edge.pk),
        str(new.pk),
    ]
    assert ids(provider_client.get(f"{URL}?filter[updated_since]=2024-10-01T13:00:00%2B01:00")) == [
        str(edge.pk),
        str(new.pk),
    ]
    assert ids(
        provider_client.get(f"{URL}?filter[updated_since]=2024-10-01T13%253A00%253A00%252B01%253A00")
    ) == [
        str(edge.pk),
        str(new.pk),
    ]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", "2024-10-01T12:00:00+01:00"])
def test_bad_updated_since(provider_client, value):
    # Sent raw: an unencoded "+" arrives as a space, which is not a valid date.
    response = provider_client.get(f"{URL}?filter[updated_since]={value}")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_participant_id_filter(provider_client, lead_provider):
    first = DeclarationFactory(lead_provider=lead_provider)
    second = DeclarationFactory(lead_provider=lead_provider)
    DeclarationFactory(lead_provider=lead_provider)

    both = f"{first.participant_id},{second.participant_id}"
    assert ids(provider_client.get(URL, {"filter[participant_id]": both})) == [str(first.pk), str(second.pk)]
    assert ids(provider_client.get(URL, {"filter[participant_id]": f"nonsense,{first.participant_id}"})) == [
        str(first.pk)
    ]
    assert ids(provider_client.get(URL, {"filter[participant_id]": "nonsense"})) == []


def test_delivery_partner_id_filter(provider_client, lead_provider):
    first = DeclarationFactory(lead_provider=lead_provider)
    DeclarationFactory(lead_provider=lead_provider)

    assert ids(provider_client.get(URL, {"filter[delivery_partner_id]": str(first.delivery_partner_id)})) == [
        str(first.pk)
    ]
    assert ids(provider_client.get(URL, {"filter[delivery_partner_id]": "x,y"})) == []


def test_filters_combine(provider_client, lead_provider):
    first = DeclarationFactory(lead_provider=lead_provider, year=2023)

    assert ids(
        provider_client.get(
            URL, {"filter[cohort]": "2023", "filter[participant_id]": str(first.participant_id)}
        )
    ) == [str(first.pk)]
    assert (
        ids(
            provider_client.get(
                URL, {"filter[cohort]": "2024", "filter[participant_id]": str(first.participant_id)}
            )
        )
        == []
    )


def test_filter_must_be_a_hash(provider_client):
    response = provider_client.get(URL, {"filter": "abc"})

    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}


def test_pagination(provider_client, lead_provider):
    made = [DeclarationFactory(lead_provider=lead_provider) for _ in range(3)]
    for index, declaration in enumerate(made):
        set_times(declaration, created=dt.datetime(2024, 10, 1 + index, tzinfo=dt.UTC))

    assert ids(provider_client.get(URL, {"page[per_page]": "2"})) == [str(made[0].pk), str(made[1].pk)]
    assert ids(provider_client.get(URL, {"page[per_page]": "2", "page[page]": "2"})) == [str(made[2].pk)]
    assert ids(provider_client.get(URL, {"page[per_page]": "2", "page[page]": "3"})) == []


@pytest.mark.parametrize(
    "params", [{"page[page]": "0"}, {"page[per_page]": "-1"}, {"page[page]": "x"}, {"page": "2"}]
)
def test_bad_pagination(provider_client, params):
    response = provider_client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["title"] == "Bad request"


# --- visibility ----------------------------------------------------------------------------


def test_own_declarations_in_every_state_are_visible(provider_client, lead_provider):
    made = [
        DeclarationFactory(lead_provider=lead_provider, state=state)
        for state in ("voided", "ineligible", "paid")
    ]

    assert set(ids(provider_client.get(URL))) == {str(d.pk) for d in made}


def test_previous_providers_live_declarations_of_my_participants_are_visible(
    provider_client, lead_provider, other_lead_provider
):
    live = DeclarationFactory(lead_provider=other_lead_provider, eligible=True)
    voided = DeclarationFactory(lead_provider=other_lead_provider, voided=True)
    unrelated = DeclarationFactory(lead_provider=other_lead_provider)
    also_trained_by(live, lead_provider)
    also_trained_by(voided, lead_provider)

    visible = ids(provider_client.get(URL))

    assert visible == [str(live.pk)]
    assert provider_client.get(f"{URL}/{live.pk}").status_code == 200
    assert provider_client.get(f"{URL}/{voided.pk}").status_code == 404
    assert provider_client.get(f"{URL}/{unrelated.pk}").status_code == 404
    # The previous provider's statement is shown as it is.
    assert provider_client.get(f"{URL}/{live.pk}").json()["data"]["attributes"]["lead_provider_name"] == (
        other_lead_provider.name
    )


@pytest.mark.parametrize(
    ("induction_status", "end_date", "visible"),
    [
        ("completed", None, True),
        ("withdrawn", None, False),
        ("changed", None, False),
        ("leaving", None, True),
        ("leaving", dt.datetime(2024, 10, 1, 9, 30, tzinfo=dt.UTC), True),  # declared on the end date
        ("leaving", dt.datetime(2024, 10, 1, 9, 29, 59, tzinfo=dt.UTC), False),
    ],
)
def test_visibility_by_induction_status(
    provider_client, lead_provider, other_lead_provider, induction_status, end_date, visible
):
    declaration = DeclarationFactory(lead_provider=other_lead_provider)
    record = also_trained_by(declaration, lead_provider, induction_status=induction_status)
    if end_date:
        # Saved, not updated in bulk: what the provider sees is kept in step with each record's save.
        record.start_date, record.end_date = end_date - dt.timedelta(days=30), end_date
        record.save(update_fields=["start_date", "end_date"])

    assert ids(provider_client.get(URL)) == ([str(declaration.pk)] if visible else [])


def test_other_providers_see_nothing_of_mine(other_provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    assert ids(other_provider_client.get(URL)) == []
    response = other_provider_client.get(f"{URL}/{declaration.pk}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


@pytest.mark.parametrize("pk", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_show_unknown_id(provider_client, pk):
    response = provider_client.get(f"{URL}/{pk}")

    assert response.status_code == 404


def test_show(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = provider_client.get(f"{URL}/{declaration.pk}")

    assert response.json() == {"data": wire(declaration)}


def test_unauthenticated_list(anonymous_client):
    assert anonymous_client.get(URL).status_code == 401


# --- queries and indexes ------------------------------------------------------------------------------


def _add(lead_provider, template, statement, n):
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


def test_list_uses_a_constant_number_of_queries(provider_client, lead_provider):
    template = DeclarationFactory(lead_provider=lead_provider, voided=True)
    statement = output_statement(lead_provider)
    filters = {
        "filter[cohort]": "2024",
        "filter[updated_since]": "2020-01-01T00:00:00Z",
        "page[per_page]": "3000",
    }
    query_counts = {}
    provider_client.get(URL)  # warm the rate-limit counter, whose first request costs extra queries
    for size, more in ((1, 0), (30, 29), (300, 270)):
        _add(lead_provider, template, statement, more)
        with CaptureQueriesContext(connection) as captured:
            response = provider_client.get(URL, filters)
        assert len(ids(response)) == size
        assert len([q for q in captured.captured_queries if "declarations_declaration" in q["sql"]]) == 1
        query_counts[size] = len(captured.captured_queries)

    assert query_counts[1] == query_counts[30] == query_counts[300]
    assert query_counts[1] <= 16  # auth, rate limit counter and one page query


def test_every_filter_has_an_index():
    indexed = {tuple(index.fields) for index in Declaration._meta.indexes}
    for column in ("cohort", "participant", "delivery_partner", "updated_at"):
        assert any(fields[0] == column for fields in indexed), column
    assert ("created_at", "id") in indexed


def test_v3_schema_documents_the_declaration_endpoints():
    from config.routes import generate_schema

    paths = generate_schema("v3")["paths"]

    assert set(paths["/api/v3/participant-declarations"]) >= {"get", "post"}
    assert "get" in paths["/api/v3/participant-declarations/{id}"]
    assert "put" in paths["/api/v3/participant-declarations/{id}/void"]
    parameters = {p["name"] for p in paths["/api/v3/participant-declarations"]["get"]["parameters"]}
    assert {
        "filter[cohort]",
        "filter[participant_id]",
        "filter[updated_since]",
        "filter[delivery_partner_id]",
    } <= (parameters)
