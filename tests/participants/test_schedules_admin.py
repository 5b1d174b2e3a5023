"""Payment schedules in the back office: listed by cohort, each with its milestones, read-only for finance."""

import pytest

from participants.models import Schedule

pytestmark = pytest.mark.django_db


def test_finance_lists_schedules_by_cohort_and_reads_their_milestones(finance_client):
    listing = finance_client.get(
        "/admin/participants/schedule/",
        {
            "cohort__id__exact": Schedule.objects.get(
                cohort__start_year=2024, schedule_identifier="ecf-standard-september"
            ).cohort_id
        },
    )
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert shown and {schedule.cohort.start_year for schedule in shown} == {2024}

    schedule = Schedule.objects.get(cohort__start_year=2024, schedule_identifier="ecf-standard-september")
    page = finance_client.get(f"/admin/participants/schedule/{schedule.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for milestone in schedule.milestones.all():
        assert milestone.declaration_type in html
    assert 'name="_save"' not in html  # a view, not a form

    response = finance_client.post(f"/admin/participants/schedule/{schedule.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert Schedule.objects.get(pk=schedule.pk).name != "Changed"


def test_support_does_not_see_payment_schedules(client, support_user):
    client.force_login(support_user)
    assert client.get("/admin/participants/schedule/").status_code == 403
