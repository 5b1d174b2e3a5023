"""Back-office screens for schools and partnerships; the challenge action on a school's behalf."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from partnerships.models import PartnershipStateChange, SchoolCohort
from tests.factories.partnerships import PartnershipFactory, SchoolCohortFactory, SchoolFactory, cohort

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/partnerships/partnership/"


@pytest.fixture
def support_client(client, support_user):
    client.force_login(support_user)
    return client


def challenge(client, partnerships, **extra):
    data = {"action": "challenge_on_behalf", ACTION_CHECKBOX_NAME: [str(p.pk) for p in partnerships], **extra}
    return client.post(CHANGELIST, data)


def test_the_action_first_asks_for_the_reason(support_client):
    partnership = PartnershipFactory()

    response = challenge(support_client, [partnership])

    assert response.status_code == 200
    content = response.content.decode()
    assert "Challenge partnerships on the school's behalf" in content
    assert partnership.school.name in content
    for reason in ("another_provider", "not_confirmed", "do_not_recognise", "no_ects", "mistake"):
        assert f'value="{reason}"' in content
    partnership.refresh_from_db()
    assert partnership.status == "active"


def test_support_staff_challenge_for_the_school(support_client, support_user):
    partnership = PartnershipFactory(cohort=cohort(2024))
    school_cohort = SchoolCohortFactory(school=partnership.school, cohort=cohort(2024))

    response = challenge(support_client, [partnership], apply="Challenge", reason="no_ects")

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.status, partnership.challenge_reason) == ("challenged", "no_ects")
    change = PartnershipStateChange.objects.get(partnership=partnership)
    assert (change.event, change.actor_kind, change.actor_id) == (
        "challenged",
        "staff_user",
        str(support_user.pk),
    )
    assert (
        SchoolCohort.objects.get(pk=school_cohort.pk).induction_programme_choice == "no_early_career_teachers"
    )


def test_an_unknown_reason_shows_the_form_again(support_client):
    partnership = PartnershipFactory()
    response = challenge(support_client, [partnership], apply="Challenge", reason="because")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.status == "active"
    assert PartnershipStateChange.objects.count() == 0


def test_already_challenged_ones_are_reported_unchanged(support_client):
    active, challenged = PartnershipFactory(), PartnershipFactory(challenged=True)

    response = challenge(support_client, [active, challenged], apply="Challenge", reason="mistake")

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "1 challenged." in messages
    assert any("This partnership has already been challenged." in m for m in messages)
    challenged.refresh_from_db()
    assert challenged.challenge_reason == "mistake"  # the factory's reason, untouched
    assert PartnershipStateChange.objects.filter(partnership=challenged).count() == 0


def test_finance_staff_cannot_challenge(finance_client):
    partnership = PartnershipFactory()
    challenge(finance_client, [partnership], apply="Challenge", reason="mistake")
    partnership.refresh_from_db()
    assert partnership.status == "active"


def test_partnership_list_filters_and_page_with_history(support_client, support_user, lead_provider):
    from config.actors import Actor
    from partnerships.services import partnership_challenge

    partnership = PartnershipFactory(lead_provider=lead_provider, cohort=cohort(2024))
    PartnershipFactory(cohort=cohort(2023))
    partnership_challenge(partnership=partnership, reason="mistake", actor=Actor.staff(support_user))

    for params in (
        {},
        {"cohort__id__exact": str(cohort(2024).pk)},
        {"lead_provider__id__exact": str(lead_provider.pk)},
        {"status__exact": "challenged"},
        {"challenge_reason__exact": "mistake"},
    ):
        response = support_client.get(CHANGELIST, params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == (2 if not params else 1)

    page = support_client.get(f"{CHANGELIST}{partnership.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "challenged" in content
    assert "staff_user" in content or "Staff user" in content


def test_partnerships_cannot_be_added_or_edited_in_the_admin(admin_client):
    partnership = PartnershipFactory()
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    response = admin_client.get(f"{CHANGELIST}{partnership.pk}/change/")
    assert response.status_code == 200
    assert 'name="delivery_partner"' not in response.content.decode()


def test_school_list_filters_and_page(support_client, lead_provider):
    eligible = SchoolFactory(name="Eligible School")
    SchoolFactory(name="Cip School", cip_only=True)
    SchoolFactory(name="Closed School", closed=True)
    PartnershipFactory(lead_provider=lead_provider, school=eligible, cohort=cohort(2024))
    SchoolCohortFactory(school=eligible, cohort=cohort(2024))

    def names(params):
        response = support_client.get("/admin/partnerships/school/", params)
        assert response.status_code == 200
        return sorted(school.name for school in response.context["cl"].result_list)

    assert names({"funding": "eligible"}) == ["Eligible School"]
    assert names({"funding": "cip_only"}) == ["Cip School"]
    assert names({"funding": "ineligible"}) == ["Cip School", "Closed School"]
    assert names({"partnered_cohort": str(cohort(2024).pk)}) == ["Eligible School"]
    assert names({"partnered_cohort": str(cohort(2023).pk)}) == []
    assert names({"partnered_provider": str(lead_provider.pk)}) == ["Eligible School"]
    assert len(names({"partnered_cohort": "x"})) == 3

    page = support_client.get(f"/admin/partnerships/school/{eligible.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Full Induction Programme" in content  # the school-cohort inline
    assert "Ambition Institute" in content  # the partnership inline
