"""GET /api/v3/schools/ecf and /{id}."""

import datetime as dt
import uuid

import pytest

from partnerships.models import School, SchoolCohort
from tests.factories.partnerships import PartnershipFactory, SchoolCohortFactory, SchoolFactory, cohort

pytestmark = pytest.mark.django_db

URL = "/api/v3/schools/ecf"
MISSING_COHORT = {
    "errors": [{"title": "Bad parameter", "detail": "The filter '#/cohort' must be included in your request"}]
}


def ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 1, day, 10, tzinfo=dt.UTC)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def created_in_order(*schools):
    for index, school in enumerate(schools, start=1):
        School.objects.filter(pk=school.pk).update(created_at=at(index), updated_at=at(index))
    return [str(school.id) for school in schools]


def test_lists_schools_for_a_cohort(provider_client):
    school = SchoolFactory(name="Oak School", urn="100200")
    School.objects.filter(pk=school.pk).update(created_at=at(1), updated_at=at(2))
    school_cohort = SchoolCohortFactory(
        school=school, cohort=cohort(2024), induction_programme_choice="design_our_own"
    )
    SchoolCohort.objects.filter(pk=school_cohort.pk).update(updated_at=at(4))

    response = provider_client.get(URL, {"filter[cohort]": "2024"})

    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "id": str(school.id),
                "type": "school",
                "attributes": {
                    "name": "Oak School",
                    "urn": "100200",
                    "cohort": "2024",
                    "in_partnership": False,
                    "induction_programme_choice": "school_led",
                    "created_at": ts(at(1)),
                    "updated_at": ts(at(4)),
                },
            }
        ]
    }
    # Another cohort: no school-cohort record, so not yet known and the school's own updated_at.
    other = provider_client.get(URL, {"filter[cohort]": "2023"}).json()["data"][0]["attributes"]
    assert (other["cohort"], other["induction_programme_choice"], other["updated_at"]) == (
        "2023",
        "not_yet_known",
        ts(at(2)),
    )


@pytest.mark.parametrize("path", [URL, f"{URL}/5f0c6b7e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"])
def test_cohort_filter_is_required(provider_client, path):
    response = provider_client.get(path)
    assert response.status_code == 400
    assert response.json() == MISSING_COHORT


@pytest.mark.parametrize("value", ["", "1999", "abc", "2023,2024"])
def test_empty_or_unknown_cohort_lists_nothing(provider_client, value):
    SchoolFactory()
    assert ids(provider_client.get(URL, {"filter[cohort]": value})) == []


def test_scope_is_eligible_schools_plus_partnered_ones(provider_client, other_lead_provider):
    eligible = SchoolFactory()
    section_41 = SchoolFactory(school_type_code=24, section_41_approved=True)
    closed_partnered = SchoolFactory(closed=True)
    PartnershipFactory(lead_provider=other_lead_provider, school=closed_partnered, cohort=cohort(2024))
    closed_partnered_last_year = SchoolFactory(closed=True)
    PartnershipFactory(school=closed_partnered_last_year, cohort=cohort(2023))
    closed_challenged = SchoolFactory(closed=True)
    PartnershipFactory(school=closed_challenged, cohort=cohort(2024), challenged=True)
    closed_relationship = SchoolFactory(closed=True)
    PartnershipFactory(school=closed_relationship, cohort=cohort(2024), relationship=True)
    cip_only = SchoolFactory(cip_only=True)
    welsh = SchoolFactory(welsh=True)
    expected = created_in_order(
        eligible,
        section_41,
        closed_partnered,
        closed_partnered_last_year,
        closed_challenged,
        closed_relationship,
        cip_only,
        welsh,
    )

    assert ids(provider_client.get(URL, {"filter[cohort]": "2024"})) == [
        expected[0],
        expected[1],
        expected[2],
    ]


def test_in_partnership_counts_any_provider_and_relationships_but_not_challenges(
    provider_client, other_lead_provider
):
    ordinary = SchoolFactory()
    PartnershipFactory(lead_provider=other_lead_provider, school=ordinary, cohort=cohort(2024))
    relationship_only = SchoolFactory()
    PartnershipFactory(school=relationship_only, cohort=cohort(2024), relationship=True)
    challenged = SchoolFactory()
    PartnershipFactory(school=challenged, cohort=cohort(2024), challenged=True)
    other_cohort = SchoolFactory()
    PartnershipFactory(school=other_cohort, cohort=cohort(2023))
    created_in_order(ordinary, relationship_only, challenged, other_cohort)

    data = provider_client.get(URL, {"filter[cohort]": "2024"}).json()["data"]

    assert [item["attributes"]["in_partnership"] for item in data] == [True, True, False, False]


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        ("full_induction_programme", "provider_led"),
        ("school_funded_fip", "provider_led"),
        ("core_induction_programme", "school_led"),
        ("design_our_own", "school_led"),
        ("no_early_career_teachers", "no_early_career_teachers"),
        ("not_yet_known", "not_yet_known"),
    ],
)
def test_programme_choice_mapping(provider_client, choice, shown):
    school = SchoolFactory()
    SchoolCohortFactory(school=school, cohort=cohort(2024), induction_programme_choice=choice)
    data = provider_client.get(f"{URL}/{school.id}", {"filter[cohort]": "2024"}).json()["data"]
    assert data["attributes"]["induction_programme_choice"] == shown


def test_urn_filter(provider_client):
    first, second = SchoolFactory(urn="111111"), SchoolFactory(urn="222222")
    created_in_order(first, second)
    assert ids(provider_client.get(URL, {"filter[cohort]": "2024", "filter[urn]": "222222"})) == [
        str(second.id)
    ]
    assert ids(provider_client.get(URL, {"filter[cohort]": "2024", "filter[urn]": "2222"})) == []
    assert len(ids(provider_client.get(URL, {"filter[cohort]": "2024", "filter[urn]": ""}))) == 2


def test_updated_since_matches_school_or_any_school_cohort(provider_client):
    by_school, by_this_cohort, by_other_cohort, stale = (SchoolFactory() for _ in range(4))
    expected = created_in_order(by_school, by_this_cohort, by_other_cohort, stale)
    School.objects.update(updated_at=at(1))
    School.objects.filter(pk=by_school.pk).update(updated_at=at(10))
    this = SchoolCohortFactory(school=by_this_cohort, cohort=cohort(2024))
    other = SchoolCohortFactory(school=by_other_cohort, cohort=cohort(2023))
    old = SchoolCohortFactory(school=stale, cohort=cohort(2024))
    SchoolCohort.objects.filter(pk__in=[this.pk, other.pk]).update(updated_at=at(10))
    SchoolCohort.objects.filter(pk=old.pk).update(updated_at=at(1))

    response = provider_client.get(
        URL, {"filter[cohort]": "2024", "filter[updated_since]": "2024-01-10T10:00:00Z"}
    )

    assert ids(response) == expected[:3]
    assert bad_since(provider_client).status_code == 400


def bad_since(client):
    return client.get(URL, {"filter[cohort]": "2024", "filter[updated_since]": "nope"})


def test_partnership_changes_surface_through_the_school(provider_client, lead_provider):
    school = SchoolFactory()
    School.objects.filter(pk=school.pk).update(updated_at=at(1))
    partnership = PartnershipFactory(lead_provider=lead_provider, school=school, cohort=cohort(2024))
    from partnerships.models import ProviderRelationship
    from tests.factories.partnerships import DeliveryPartnerFactory

    partner = DeliveryPartnerFactory()
    ProviderRelationship.objects.create(
        lead_provider=lead_provider, delivery_partner=partner, cohort=cohort(2024)
    )
    body = {"data": {"attributes": {"delivery_partner_id": str(partner.id)}}}
    assert provider_client.put_json(f"/api/v3/partnerships/ecf/{partnership.id}", body).status_code == 200

    assert ids(
        provider_client.get(URL, {"filter[cohort]": "2024", "filter[updated_since]": "2025-01-01"})
    ) == [str(school.id)]


def test_sort(provider_client):
    a, b, c = SchoolFactory(name="B"), SchoolFactory(name="C"), SchoolFactory(name="A")
    created_in_order(a, b, c)
    School.objects.filter(pk=a.pk).update(updated_at=at(9))
    params = {"filter[cohort]": "2024"}
    assert ids(provider_client.get(URL, params)) == [str(a.id), str(b.id), str(c.id)]
    assert ids(provider_client.get(URL, {**params, "sort": "-updated_at"})) == [
        str(a.id),
        str(c.id),
        str(b.id),
    ]
    assert ids(provider_client.get(URL, {**params, "sort": "name"})) == [str(c.id), str(a.id), str(b.id)]
    assert ids(provider_client.get(URL, {**params, "sort": "-bogus"})) == [str(a.id), str(b.id), str(c.id)]


def test_show(provider_client):
    school = SchoolFactory()
    ineligible = SchoolFactory(closed=True)
    response = provider_client.get(f"{URL}/{school.id}", {"filter[cohort]": "2025"})
    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(school.id)
    assert response.json()["data"]["attributes"]["cohort"] == "2025"
    for path, cohort_value in [
        (f"{URL}/{ineligible.id}", "2024"),
        (f"{URL}/{school.id}", ""),
        (f"{URL}/{school.id}", "1999"),
        (f"{URL}/{uuid.uuid4()}", "2024"),
        (f"{URL}/not-a-uuid", "2024"),
    ]:
        response = provider_client.get(path, {"filter[cohort]": cohort_value})
        assert response.status_code == 404
        assert response.json() == {"error": "Resource not Found"}


def test_same_for_every_provider(provider_client, other_provider_client):
    SchoolFactory()
    params = {"filter[cohort]": "2024"}
    assert provider_client.get(URL, params).json() == other_provider_client.get(URL, params).json()


@pytest.mark.parametrize("rows", [1, 30, 300])
def test_list_uses_constant_queries(provider_client, django_assert_max_num_queries, rows):
    for school in SchoolFactory.create_batch(rows):
        SchoolCohortFactory(school=school, cohort=cohort(2024))
        PartnershipFactory(school=school, cohort=cohort(2024))
    params = {"filter[cohort]": "2024", "filter[updated_since]": "2000-01-01", "page[per_page]": "500"}
    # Token lookup and last_used_at, the first rate-limit count of this token (5), then the page (cohort + schools).
    with django_assert_max_num_queries(9):
        response = provider_client.get(URL, params)
    assert len(ids(response)) == rows


@pytest.mark.parametrize(
    "query",
    [
        "filter[cohort]=2024&filter[urn]=%00",
        "filter[cohort]=20%0024",
        "filter[cohort]=99999999999999999999",
        "filter[cohort]=-1",
        "filter[cohort]=2024&sort=%00,-,+,name;drop",
        "filter[cohort]=2024&filter[urn][x]=1",
        "filter[cohort]=2024&page[per_page]=99999999999999999999",
    ],
)
def test_odd_input_never_fails(provider_client, query):
    SchoolFactory()
    response = provider_client.get(f"{URL}?{query}")
    assert response.status_code in (200, 400)


def test_attributes_match_the_contract(provider_client):
    import json
    from pathlib import Path

    path = Path("/work/shared/reference/ecf-lead-provider-api-v3.openapi.json")
    if not path.exists():
        pytest.skip("reference contract not available")
    reference = json.loads(path.read_text())["components"]["schemas"]["ECFSchoolAttributes"]
    school = SchoolFactory()
    attributes = provider_client.get(f"{URL}/{school.id}", {"filter[cohort]": "2024"}).json()["data"][
        "attributes"
    ]
    assert set(attributes) == set(reference["properties"])
    assert (
        attributes["induction_programme_choice"]
        in reference["properties"]["induction_programme_choice"]["enum"]
    )
