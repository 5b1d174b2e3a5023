"""GET /api/v3/partnerships/ecf and /{id}."""

import datetime as dt
import uuid

import pytest

from partnerships.models import DeliveryPartner, Partnership, School
from tests.factories.partnerships import DeliveryPartnerFactory, PartnershipFactory, SchoolFactory, cohort

pytestmark = pytest.mark.django_db

URL = "/api/v3/partnerships/ecf"


def ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def set_times(model, pk, *, created=None, updated=None):
    values = {}
    if created:
        values["created_at"] = created
    if updated:
        values["updated_at"] = updated
    model.objects.filter(pk=pk).update(**values)


def at(day: int, month: int = 1, year: int = 2024) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=dt.UTC)


def test_show_renders_every_attribute(provider_client, lead_provider):
    school = SchoolFactory(
        urn="654321", induction_tutor_name="Ada Tutor", induction_tutor_email="ada@example.com"
    )
    partner = DeliveryPartnerFactory(name="North Partner")
    partnership = PartnershipFactory(
        lead_provider=lead_provider,
        school=school,
        delivery_partner=partner,
        cohort=cohort(2023),
        challenged=True,
        challenge_reason="no_ects",
        challenged_at=dt.datetime(2024, 5, 31, 2, 22, 32, 123456, tzinfo=dt.UTC),
    )
    set_times(Partnership, partnership.pk, created=at(1), updated=at(2))
    set_times(School, school.pk, updated=at(5))
    set_times(DeliveryPartner, partner.pk, updated=at(3))

    response = provider_client.get(f"{URL}/{partnership.id}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.api+json"
    assert response.json() == {
        "data": {
            "id": str(partnership.id),
            "type": "partnership",
            "attributes": {
                "cohort": "2023",
                "urn": "654321",
                "school_id": str(school.id),
                "delivery_partner_id": str(partner.id),
                "delivery_partner_name": "North Partner",
                "status": "challenged",
                "challenged_reason": "no_ects",
                "challenged_at": "2024-05-31T02:22:32.123Z",
                "induction_tutor_name": "Ada Tutor",
                "induction_tutor_email": "ada@example.com",
                "updated_at": ts(at(5)),
                "created_at": ts(at(1)),
            },
        }
    }


@pytest.mark.parametrize(
    ("school_fields", "name", "email"),
    [
        ({"primary_contact_email": "p@x.com", "secondary_contact_email": "s@x.com"}, None, "p@x.com"),
        ({"primary_contact_email": None, "secondary_contact_email": "s@x.com"}, None, "s@x.com"),
        ({"primary_contact_email": None, "secondary_contact_email": None}, None, None),
    ],
)
def test_induction_tutor_email_falls_back_to_contacts(
    provider_client, lead_provider, school_fields, name, email
):
    partnership = PartnershipFactory(lead_provider=lead_provider, school=SchoolFactory(**school_fields))
    attributes = provider_client.get(f"{URL}/{partnership.id}").json()["data"]["attributes"]
    assert (attributes["induction_tutor_name"], attributes["induction_tutor_email"]) == (name, email)


def test_show_scoping(provider_client, lead_provider, other_lead_provider):
    mine = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2021))
    others = PartnershipFactory(lead_provider=other_lead_provider)
    relationship = PartnershipFactory(lead_provider=lead_provider, relationship=True)
    assert provider_client.get(f"{URL}/{mine.id}").status_code == 200  # any cohort
    for missing in (others.id, relationship.id, uuid.uuid4(), "not-a-uuid", "1"):
        response = provider_client.get(f"{URL}/{missing}")
        assert response.status_code == 404
        assert response.json() == {"error": "Resource not Found"}


def test_list_scope_is_the_callers_ordinary_partnerships(provider_client, lead_provider, other_lead_provider):
    active = PartnershipFactory(lead_provider=lead_provider)
    challenged = PartnershipFactory(lead_provider=lead_provider, challenged=True)
    PartnershipFactory(lead_provider=lead_provider, relationship=True)
    PartnershipFactory(lead_provider=other_lead_provider)
    set_times(Partnership, active.pk, created=at(1))
    set_times(Partnership, challenged.pk, created=at(2))

    assert ids(provider_client.get(URL)) == [str(active.id), str(challenged.id)]


def test_cohort_filter(provider_client, lead_provider):
    p2021 = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2021))
    p2023 = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2023))
    p2024 = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    for index, partnership in enumerate((p2021, p2023, p2024), start=1):
        set_times(Partnership, partnership.pk, created=at(index))

    assert ids(provider_client.get(URL)) == [str(p2021.id), str(p2023.id), str(p2024.id)]
    assert ids(provider_client.get(URL, {"filter[cohort]": "2023,2024"})) == [str(p2023.id), str(p2024.id)]
    assert ids(provider_client.get(URL, {"filter[cohort]": "2021"})) == [str(p2021.id)]
    assert ids(provider_client.get(URL, {"filter[cohort]": ""})) == [
        str(p2021.id),
        str(p2023.id),
        str(p2024.id),
    ]
    assert ids(provider_client.get(URL, {"filter[cohort]": "1999,abc"})) == []


def test_updated_since_matches_partnership_school_or_delivery_partner(provider_client, lead_provider):
    by_self, by_school, by_partner, stale = (
        PartnershipFactory(lead_provider=lead_provider) for _ in range(4)
    )
    for index, partnership in enumerate((by_self, by_school, by_partner, stale), start=1):
        set_times(Partnership, partnership.pk, created=at(index), updated=at(1))
        set_times(School, partnership.school_id, updated=at(1))
        set_times(DeliveryPartner, partnership.delivery_partner_id, updated=at(1))
    set_times(Partnership, by_self.pk, updated=at(10))
    set_times(School, by_school.school_id, updated=at(10))
    set_times(DeliveryPartner, by_partner.delivery_partner_id, updated=at(10))

    response = provider_client.get(URL, {"filter[updated_since]": "2024-01-10T10:00:00Z"})

    assert ids(response) == [str(by_self.id), str(by_school.id), str(by_partner.id)]
    assert response.json()["data"][1]["attributes"]["updated_at"] == ts(at(10))
    assert ids(provider_client.get(URL, {"filter[updated_since]": "2024-01-10T10:00:01Z"})) == []


@pytest.mark.parametrize("value", ["yesterday", "2024-13-45", "2024-01-01T10:00:00 01:00"])
def test_bad_updated_since_is_400(provider_client, value):
    response = provider_client.get(URL, {"filter[updated_since]": value})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid RCF3339 date"}
        ]
    }


def test_delivery_partner_filter(provider_client, lead_provider):
    first, second, third = (PartnershipFactory(lead_provider=lead_provider) for _ in range(3))
    for index, partnership in enumerate((first, second, third), start=1):
        set_times(Partnership, partnership.pk, created=at(index))

    value = f"{first.delivery_partner_id},{third.delivery_partner_id}"
    assert ids(provider_client.get(URL, {"filter[delivery_partner_id]": value})) == [
        str(first.id),
        str(third.id),
    ]
    assert ids(provider_client.get(URL, {"filter[delivery_partner_id]": "not-a-uuid"})) == []
    assert len(ids(provider_client.get(URL, {"filter[delivery_partner_id]": ""}))) == 3


def test_filter_must_be_a_hash(provider_client):
    response = provider_client.get(URL, {"filter": "abc"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}


def test_sort(provider_client, lead_provider):
    a, b, c = (PartnershipFactory(lead_provider=lead_provider) for _ in range(3))
    set_times(Partnership, a.pk, created=at(1), updated=at(9))
    set_times(Partnership, b.pk, created=at(2), updated=at(7))
    set_times(Partnership, c.pk, created=at(3), updated=at(8))

    assert ids(provider_client.get(URL)) == [str(a.id), str(b.id), str(c.id)]
    assert ids(provider_client.get(URL, {"sort": "-created_at"})) == [str(c.id), str(b.id), str(a.id)]
    assert ids(provider_client.get(URL, {"sort": "updated_at"})) == [str(b.id), str(c.id), str(a.id)]
    assert ids(provider_client.get(URL, {"sort": "-updated_at"})) == [str(a.id), str(c.id), str(b.id)]
    assert ids(provider_client.get(URL, {"sort": "nonsense"})) == [str(a.id), str(b.id), str(c.id)]


def test_pagination(provider_client, lead_provider):
    created = [PartnershipFactory(lead_provider=lead_provider) for _ in range(3)]
    for index, partnership in enumerate(created, start=1):
        set_times(Partnership, partnership.pk, created=at(index))

    assert ids(provider_client.get(URL, {"page[per_page]": "2"})) == [str(p.id) for p in created[:2]]
    assert ids(provider_client.get(URL, {"page[per_page]": "2", "page[page]": "2"})) == [str(created[2].id)]
    assert ids(provider_client.get(URL, {"page[per_page]": "2", "page[page]": "3"})) == []
    assert provider_client.get(URL, {"page[page]": "0"}).status_code == 400


def test_unauthenticated_is_401(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"error": "HTTP Token: Access denied"}


@pytest.mark.parametrize("rows", [1, 30, 300])
def test_list_uses_constant_queries(provider_client, lead_provider, django_assert_max_num_queries, rows):
    PartnershipFactory.create_batch(rows, lead_provider=lead_provider)
    params = {
        "filter[updated_since]": "2000-01-01T00:00:00Z",
        "filter[cohort]": "2024",
        "page[per_page]": "500",
    }
    # Token lookup and last_used_at, the first rate-limit count of this token (5), then the page.
    with django_assert_max_num_queries(8):
        response = provider_client.get(URL, params)
    assert len(ids(response)) == rows


def _reference_schema(name: str) -> dict:
    import json
    from pathlib import Path

    path = Path("/work/shared/reference/ecf-lead-provider-api-v3.openapi.json")
    if not path.exists():
        pytest.skip("reference contract not available")
    return json.loads(path.read_text())["components"]["schemas"][name]


def test_attributes_match_the_contract(provider_client, lead_provider):
    partnership = PartnershipFactory(lead_provider=lead_provider)
    attributes = provider_client.get(f"{URL}/{partnership.id}").json()["data"]["attributes"]
    reference = _reference_schema("ECFPartnershipAttributes")
    assert list(attributes) == list(reference["properties"])
    assert reference["properties"]["status"]["enum"] == ["active", "challenged"]
    assert set(reference["properties"]["challenged_reason"]["enum"]) == {
        "another_provider",
        "not_confirmed",
        "do_not_recognise",
        "no_ects",
        "mistake",
    }
