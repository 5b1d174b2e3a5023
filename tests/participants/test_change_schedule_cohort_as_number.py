"""Change-schedule's `cohort` may be a number, including a JSON number written 2024.0, as partnership
create already accepts."""

import pytest

from tests.factories.participants import enrol

pytestmark = pytest.mark.django_db


def test_cohort_as_a_whole_json_float_is_the_year(provider_client, lead_provider):
    ir = enrol(lead_provider=lead_provider)
    response = provider_client.put(
        f"/api/v3/participants/ecf/{ir.training_record.participant_id}/change-schedule",
        data=b'{"data":{"attributes":{"course_identifier":"ecf-induction",'
        b'"schedule_identifier":"ecf-standard-april","cohort":2024.0}}}',
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    [enrolment] = response.json()["data"]["attributes"]["ecf_enrolments"]
    assert (enrolment["cohort"], enrolment["schedule_identifier"]) == ("2024", "ecf-standard-april")
