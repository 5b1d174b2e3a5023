"""A DfE admin edit of a training or induction record must reach providers polling `filter[updated_since]`.

The v3 participants `updated_since` filter reads the person's `updated_at`, which every write to their
training or induction records touches; an admin edit is such a write.
"""

import datetime as dt

import pytest

from participants.models import Participant
from tests.factories.participants import enrol

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The POST body the admin change page would send back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        forms.extend(formset.formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            widget = field.field.widget
            if hasattr(widget, "decompress"):  # split date/time widgets post one value per part
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{field.html_name}_{index}"] = part
                continue
            data[field.html_name] = value
    return data


def test_admin_edit_of_a_training_record_touches_the_person(admin_client, provider_client, lead_provider):
    record = enrol(lead_provider=lead_provider).training_record
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Participant.objects.filter(pk=record.participant_id).update(updated_at=long_ago)
    url = f"/admin/participants/trainingrecord/{record.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["induction_completion_date"] = "2025-07-01"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    record.refresh_from_db()
    assert record.induction_completion_date == dt.date(2025, 7, 1)
    person = Participant.objects.get(pk=record.participant_id)
    assert person.updated_at > long_ago
    polled = provider_client.get(
        "/api/v3/participants/ecf", {"filter[updated_since]": "2024-01-01T00:00:00Z"}
    )
    assert [item["id"] for item in polled.json()["data"]] == [str(record.participant_id)]


def test_admin_edit_of_an_induction_record_touches_the_person(admin_client, provider_client, lead_provider):
    induction_record = enrol(lead_provider=lead_provider)
    person_id = induction_record.training_record.participant_id
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Participant.objects.filter(pk=person_id).update(updated_at=long_ago)
    url = f"/admin/participants/inductionrecord/{induction_record.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["preferred_email"] = "new@example.com"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Participant.objects.get(pk=person_id).updated_at > long_ago
    shown = provider_client.get(f"/api/v3/participants/ecf/{person_id}").json()["data"]["attributes"]
    assert shown["ecf_enrolments"][0]["email"] == "new@example.com"
