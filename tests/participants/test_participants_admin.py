"""Participant search, the participant page, duplicate records, and finance acting on a provider's behalf."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from declarations.models import DeclarationStateChange
from participants.models import (
    EligibilityChange,
    InductionRecord,
    Participant,
    ParticipantIdChange,
    TrainingStatusChange,
)
from tests.factories.declarations import DeclarationFactory, output_statement
from tests.factories.participants import ParticipantFactory, add_induction_record, enrol
from tests.factories.partnerships import LeadProviderFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/participants/participant/"
DUPLICATES = "/admin/participants/participant/duplicates/"


def page_url(participant_id):
    return f"/admin/participants/participant/{participant_id}/change/"


def status_url(record, lead_provider=None):
    url = f"/admin/participants/trainingrecord/{record.pk}/training-status/"
    return url + (f"?lead_provider={lead_provider.pk}" if lead_provider else "")


def eligibility_url(record):
    return f"/admin/participants/trainingrecord/{record.pk}/eligibility/"


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def section(html, start_marker, end_marker="</table>"):
    part = html[html.index(start_marker) :]
    return part[: part.index(end_marker)]


@pytest.fixture
def person(lead_provider):
    ir = enrol(lead_provider=lead_provider)
    person = ir.training_record.participant
    person.full_name = "Ada Lovelace"
    person.email = "ada@example.com"
    person.trn = "1234567"
    person.save()
    return ir


# --- search ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["Lovelace", "ada@example", "1234567"])
def test_search_by_name_email_trn(finance_client, person, term):
    enrol()  # someone else
    response = finance_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [person.training_record.participant]


def test_search_by_participant_training_record_retired_and_declaration_id(
    finance_client, person, lead_provider
):
    participant = person.training_record.participant
    ParticipantIdChange.objects.create(
        participant=participant,
        from_participant_id="66666666-6666-6666-6666-666666666666",
        to_participant_id=participant.pk,
    )
    declaration = DeclarationFactory(lead_provider=lead_provider, enrolment=person)
    DeclarationFactory(lead_provider=lead_provider)  # someone else's
    for term in (
        str(participant.pk),
        str(person.training_record_id),
        "66666666-6666-6666-6666-666666666666",
        f"  {declaration.pk}  ",
    ):
        response = finance_client.get(CHANGELIST, {"q": term})
        assert list(response.context["cl"].result_list) == [participant], term


def test_search_without_a_match_says_so(finance_client, person):
    response = finance_client.get(CHANGELIST, {"q": "00000000-0000-0000-0000-000000000000"})

    assert response.status_code == 200
    assert "No records found for “00000000-0000-0000-0000-000000000000”" in response.text
    assert "<h1>Search participants</h1>" in response.text


def test_search_results_use_a_constant_number_of_queries(
    finance_client, lead_provider, django_assert_num_queries
):
    enrol(lead_provider=lead_provider)
    finance_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        finance_client.get(CHANGELIST)
    for _ in range(8):
        record = enrol(lead_provider=lead_provider).training_record
        enrol(
            lead_provider=lead_provider, participant=record.participant, participant_type="mentor", year=2023
        )

    with django_assert_num_queries(len(few)):
        response = finance_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 9
    assert "ECT 2024, Mentor 2023" in response.text


# --- the participant page ------------------------------------------------------------------------------


def test_participant_page_shows_records_history_declarations_and_statements(
    finance_client, finance_user, person, lead_provider
):
    record = person.training_record
    finance_user.first_name, finance_user.last_name = "Fran", "Finance"
    finance_user.save()
    TrainingStatusChange.objects.create(
        training_record=record,
        lead_provider=lead_provider,
        induction_record=person,
        from_status="active",
        to_status="withdrawn",
        reason="school-left-fip",
        actor_kind="staff_user",
        actor_id=str(finance_user.pk),
    )
    EligibilityChange.objects.create(
        training_record=record,
        from_status=None,
        to_status="eligible",
        to_reason="none",
        actor_kind="command",
        actor_id="import_eligibility",
    )
    paid = DeclarationFactory(lead_provider=lead_provider, enrolment=person, paid=True)
    ParticipantIdChange.objects.create(
        participant=record.participant,
        from_participant_id="66666666-6666-6666-6666-666666666666",
        to_participant_id=record.participant_id,
    )

    response = finance_client.get(page_url(record.participant_id))

    assert response.status_code == 200
    html = response.text
    assert "<h1>Ada Lovelace</h1>" in html
    identity = section(html, 'id="identity"')
    assert "1234567" in identity and "ada@example.com" in identity and str(record.participant_id) in identity
    assert "66666666-6666-6666-6666-666666666666" in identity
    assert "ECT training record" in html and str(record.pk) in html
    assert "TRUE (eligible, none)" in html
    inductions = section(html, 'class="induction-records"')
    assert (
        person.induction_programme.school_cohort.school.urn in inductions and lead_provider.name in inductions
    )
    statuses = section(html, 'class="status-history"')
    assert "switched-to-school-led" in statuses  # the legacy reason, shown as today's
    assert "Fran Finance (finance@example.com)" in statuses
    assert "the import_eligibility command" in section(html, 'class="eligibility-history"')
    block = section(html, f'id="declaration-{paid.pk}"', "</div>")
    assert "started" in block and '<span class="declaration-state">paid</span>' in block
    statement = paid.statement_line_items.get().statement
    assert f"/admin/statements/statement/{statement.pk}/change/" in block and "(output line, paid)" in block
    history = section(block, 'class="declaration-history"')
    assert "submitted" in history and "paid" in history and "the factory command" in history
    assert "N/A" in history


def test_finance_sees_the_actions_support_does_not(
    finance_client, client, support_user, person, lead_provider
):
    record = person.training_record
    earlier = add_induction_record(
        record,
        lead_provider=lead_provider,
        start_date=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        end_date=dt.datetime(2024, 8, 31, tzinfo=dt.UTC),
        induction_status="changed",
    )
    submitted = DeclarationFactory(lead_provider=lead_provider, enrolment=person, eligible=True)
    voided = DeclarationFactory(
        lead_provider=lead_provider, enrolment=person, voided=True, declaration_type="retained-1"
    )

    html = finance_client.get(page_url(record.participant_id)).text

    change_links = html.count('class="change-training-status"')
    assert change_links == 1  # only on the provider's latest induction record
    assert (
        f"/admin/participants/trainingrecord/{record.pk}/training-status/?lead_provider={lead_provider.pk}"
        in html
    )
    assert f"/admin/declarations/declaration/{submitted.pk}/void/?next=" in html
    assert f"/admin/declarations/declaration/{voided.pk}/void/" not in html
    assert earlier.pk != person.pk
    client.force_login(support_user)
    support_html = client.get(page_url(record.participant_id)).text
    assert (
        'class="change-training-status"' not in support_html
        and 'class="void-declaration"' not in support_html
    )
    assert "Set eligibility" not in support_html
    assert "/admin/statements/statement/" not in support_html  # statements are finance's alone


def test_participant_page_uses_a_constant_number_of_queries(
    finance_client, finance_user, lead_provider, django_assert_num_queries
):
    small = enrol(lead_provider=lead_provider)
    DeclarationFactory(lead_provider=lead_provider, enrolment=small, paid=True)
    TrainingStatusChange.objects.create(
        training_record=small.training_record,
        lead_provider=lead_provider,
        induction_record=small,
        from_status="active",
        to_status="deferred",
        reason="other",
        actor_kind="staff_user",
        actor_id=str(finance_user.pk),
    )
    finance_client.get(page_url(small.training_record.participant_id))
    with CaptureQueriesContext(connection) as few:
        finance_client.get(page_url(small.training_record.participant_id))

    big = enrol(lead_provider=lead_provider)
    person = big.training_record.participant
    other = LeadProviderFactory(name="Other provider")
    add_induction_record(
        big.training_record, lead_provider=other, start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    mentor = enrol(lead_provider=lead_provider, participant=person, participant_type="mentor", year=2023)
    for declaration_type, state in [
        ("started", "paid"),
        ("retained-1", "eligible"),
        ("retained-2", "voided"),
    ]:
        DeclarationFactory(
            lead_provider=lead_provider, enrolment=big, declaration_type=declaration_type, state=state
        )
    DeclarationFactory(lead_provider=lead_provider, enrolment=mentor, year=2023, awaiting_clawback=True)
    for enrolment, who in ((big, "command"), (mentor, "staff_user")):
        TrainingStatusChange.objects.create(
            training_record=enrolment.training_record,
            lead_provider=lead_provider,
            induction_record=enrolment,
            from_status="active",
            to_status="deferred",
            reason="other",
            actor_kind=who,
            actor_id=str(finance_user.pk) if who == "staff_user" else "x",
        )

    with django_assert_num_queries(len(few)):
        response = finance_client.get(page_url(person.pk))

    assert response.status_code == 200
    assert response.text.count('class="declaration-block"') == 4


def test_participant_page_is_read_only_and_refuses_bad_ids(finance_client, person):
    participant = person.training_record.participant

    assert finance_client.post(page_url(participant.pk), {"full_name": "X"}).status_code == 405
    participant.refresh_from_db()
    assert participant.full_name == "Ada Lovelace"
    assert finance_client.get(page_url("not-a-uuid")).status_code == 404
    assert finance_client.get(page_url("00000000-0000-0000-0000-000000000000")).status_code == 404


def test_staff_without_a_group_cannot_see_participants(client, django_user_model, person):
    user = django_user_model.objects.create_user(username="nobody", password="x", is_staff=True)
    client.force_login(user)

    assert client.get(page_url(person.training_record.participant_id)).status_code == 403
    assert client.get(DUPLICATES).status_code == 403


# --- change training status on a provider's behalf ---------------------------------------------------


def test_finance_defers_on_a_providers_behalf(finance_client, finance_user, person, lead_provider):
    record = person.training_record
    page = finance_client.get(status_url(record, lead_provider))
    assert page.status_code == 200
    assert [value for value, _ in page.context["form"].fields["training_status"].choices] == [
        "deferred",
        "withdrawn",
    ]  # the current status is not offered

    response = finance_client.post(
        status_url(record),
        {"lead_provider": lead_provider.pk, "training_status": "deferred", "reason": "parental-leave"},
    )

    assert response.status_code == 302 and response["Location"] == page_url(record.participant_id)
    change = TrainingStatusChange.objects.get()
    assert (change.to_status, change.reason, change.lead_provider) == (
        "deferred",
        "parental-leave",
        lead_provider,
    )
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))
    assert (
        InductionRecord.objects.get(training_record=record, end_date__isnull=True).training_status
        == "deferred"
    )
    assert messages_of(response) == [
        f"Ada Lovelace's ECT training with {lead_provider} is now deferred (parental-leave) (was active)."
    ]


def test_finance_resumes_a_deferred_participant_without_a_reason(finance_client, lead_provider):
    deferred = enrol(lead_provider=lead_provider, training_status="deferred")

    response = finance_client.post(
        status_url(deferred.training_record),
        {"lead_provider": lead_provider.pk, "training_status": "active", "reason": "other"},
    )

    assert response.status_code == 302
    change = TrainingStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.reason) == ("deferred", "active", None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"training_status": "deferred"}, "reason", "Choose why the participant is deferred"),
        (
            {"training_status": "deferred", "reason": "moved-school"},
            "reason",
            "Choose why the participant is deferred",
        ),
        (
            {"training_status": "withdrawn", "reason": "bereavement"},
            "reason",
            "Choose why the participant is withdrawn",
        ),
        ({"training_status": "active"}, "training_status", "Select a valid choice"),  # already active
        ({"training_status": "paused"}, "training_status", "Select a valid choice"),
        ({}, "training_status", "This field is required"),
    ],
    ids=["defer-no-reason", "defer-withdraw-reason", "withdraw-defer-reason", "current", "unknown", "none"],
)
def test_invalid_training_status_changes_are_refused(
    finance_client, person, lead_provider, data, field, message
):
    response = finance_client.post(
        status_url(person.training_record), {"lead_provider": lead_provider.pk, **data}
    )

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert TrainingStatusChange.objects.count() == 0
    person.refresh_from_db()
    assert (person.training_status, person.end_date) == ("active", None)


def test_a_provider_the_record_never_trained_with_cannot_be_chosen(finance_client, person, lead_provider):
    stranger = LeadProviderFactory(name="Stranger")

    page = finance_client.get(status_url(person.training_record, stranger))
    posted = finance_client.post(
        status_url(person.training_record),
        {"lead_provider": stranger.pk, "training_status": "withdrawn", "reason": "other"},
    )

    for response in (page, posted):
        assert response.status_code == 200
        assert "That lead provider has never trained this participant" in response.text
        assert f"?lead_provider={lead_provider.pk}" in response.text
    assert TrainingStatusChange.objects.count() == 0


def test_with_two_providers_finance_chooses_one_first(finance_client, person, lead_provider):
    other = LeadProviderFactory(name="Other provider")
    add_induction_record(person.training_record, lead_provider=other)

    response = finance_client.get(status_url(person.training_record))

    assert response.status_code == 200
    assert (
        f"?lead_provider={lead_provider.pk}" in response.text
        and f"?lead_provider={other.pk}" in response.text
    )
    assert "form" not in response.context


def test_support_staff_cannot_act(client, support_user, person, lead_provider):
    client.force_login(support_user)
    record = person.training_record
    assert client.get(status_url(record, lead_provider)).status_code == 403
    posted = client.post(
        status_url(record),
        {"lead_provider": lead_provider.pk, "training_status": "withdrawn", "reason": "other"},
    )
    assert posted.status_code == 403
    assert client.post(eligibility_url(record), {"status": "eligible"}).status_code == 403
    assert client.get(CHANGELIST, {"q": "Lovelace"}).status_code == 200
    assert client.get(page_url(record.participant_id)).status_code == 200
    assert EligibilityChange.objects.count() == 0 and TrainingStatusChange.objects.count() == 0


def test_action_pages_refuse_unknown_records(finance_client):
    for url in (
        "/admin/participants/trainingrecord/not-a-uuid/training-status/",
        "/admin/participants/trainingrecord/00000000-0000-0000-0000-000000000000/eligibility/",
    ):
        assert finance_client.get(url).status_code == 404, url


# --- eligibility -------------------------------------------------------------------------------------


def test_finance_sets_eligibility(finance_client, finance_user, person):
    record = person.training_record
    response = finance_client.post(
        eligibility_url(record), {"status": "ineligible", "reason": "previous_induction"}
    )
    assert response.status_code == 302 and response["Location"] == page_url(record.participant_id)
    record.refresh_from_db()
    assert (record.eligibility_status, record.eligibility_reason) == ("ineligible", "previous_induction")
    change = EligibilityChange.objects.get()
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))
    assert messages_of(response) == ["Ada Lovelace's ECT eligibility is now ineligible (previous_induction)."]


def test_bad_eligibility_is_reported(finance_client, person):
    record = person.training_record
    response = finance_client.post(eligibility_url(record), {"status": "manual_check", "reason": ""})
    assert response.status_code == 200
    assert "A reason is required" in response.content.decode()
    assert EligibilityChange.objects.count() == 0


# --- duplicate records ----------------------------------------------------------------------------------


def test_duplicates_lists_people_sharing_a_trn(client, support_user, lead_provider):
    first = enrol(lead_provider=lead_provider)
    original = first.training_record.participant
    original.trn = "7654321"
    original.save()
    copy = ParticipantFactory(trn="7654321", full_name="Ada Copy")
    DeclarationFactory(lead_provider=lead_provider, enrolment=first)
    ParticipantFactory(trn="1111111")  # unique TRN: not a duplicate
    ParticipantFactory(trn=None)
    ParticipantFactory(trn=None)  # no TRN is never a duplicate
    client.force_login(support_user)

    response = client.get(DUPLICATES)

    assert response.status_code == 200
    assert "1 TRN shared" in response.text
    group = section(response.text, 'id="trn-7654321"')
    assert str(original.pk) in group and str(copy.pk) in group and "Ada Copy" in group
    assert lead_provider.name in group
    assert "1111111" not in response.text


def test_duplicates_use_a_constant_number_of_queries(finance_client, django_assert_num_queries):
    for trn in ("2000001", "2000002"):
        enrol(participant=ParticipantFactory(trn=trn))
        ParticipantFactory(trn=trn)
    finance_client.get(DUPLICATES)
    with CaptureQueriesContext(connection) as few:
        finance_client.get(DUPLICATES)
    for index in range(6):
        trn = f"300000{index}"
        for _ in range(3):
            enrol(participant=ParticipantFactory(trn=trn))

    with django_assert_num_queries(len(few)):
        response = finance_client.get(DUPLICATES)

    assert "8 TRNs shared" in response.text
    assert Participant.objects.filter(trn__startswith="3").count() == 18


def test_void_history_row_names_the_finance_user(finance_client, finance_user, person, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, enrolment=person)
    output_statement(lead_provider)

    finance_client.post(f"/admin/declarations/declaration/{declaration.pk}/void/", {"confirm": "yes"})

    change = DeclarationStateChange.objects.filter(declaration=declaration).last()
    assert (change.to_state, change.actor_id) == ("voided", str(finance_user.pk))
    html = finance_client.get(page_url(person.training_record.participant_id)).text
    assert "finance@example.com" in section(html, f'id="declaration-{declaration.pk}"', "</div>")
