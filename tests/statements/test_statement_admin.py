"""Finance back office in the Django admin: statements, authorising payment, adjustments, frozen figures."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from declarations.models import DeclarationStateChange
from statements.models import Adjustment, Statement, StatementLineItem, StatementSnapshot
from statements.money import format_gbp
from statements.selectors import statement_calculate
from tests.factories.participants import enrol
from tests.factories.statements import (
    AdjustmentFactory,
    StatementFactory,
    bulk_put_on,
    make_declaration,
    put_on,
)
from tests.statements.scenarios import build_8_1, build_8_2

pytestmark = pytest.mark.django_db

AFTER_DEADLINE = dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC)


def change_url(statement):
    return reverse("admin:statements_statement_change", args=[statement.pk])


def authorise_url(statement):
    return reverse("admin:statements_statement_authorise", args=[statement.pk])


def rows(response):
    import re

    return re.findall(r'class="field-name">([^<]+)<', response.text)


def test_changelist_lists_statements_with_filters(finance_client, lead_provider):
    StatementFactory(lead_provider=lead_provider, month=3)
    StatementFactory(lead_provider=lead_provider, month=4, payable=True)

    response = finance_client.get(reverse("admin:statements_statement_changelist"))
    assert response.status_code == 200
    assert rows(response) == ["March 2024", "April 2024"]

    response = finance_client.get(reverse("admin:statements_statement_changelist") + "?month=2024-03")
    assert rows(response) == ["March 2024"]
    response = finance_client.get(reverse("admin:statements_statement_changelist") + "?month=garbage")
    assert response.status_code == 200
    assert rows(response) == []
    response = finance_client.get(reverse("admin:statements_statement_changelist") + "?status__exact=payable")
    assert rows(response) == ["April 2024"]


def test_statement_page_shows_the_combined_calculation(finance_client, lead_provider):
    _, s2 = build_8_1(lead_provider)

    response = finance_client.get(change_url(s2))

    assert response.status_code == 200
    text = response.text
    assert 'id="statement-total">£1,236.60<' in text
    for label, amount in [
        ("output-payment", "£701.00"),
        ("service-fee", "£50.00"),
        ("uplift-fees", "£300.00"),
        ("clawbacks", "-£240.00"),
        ("additional-adjustments", "£219.50"),
        ("vat", "£206.10"),
    ]:
        assert f'data-line="{label}">{amount}<' in text
    assert "Clawback for Started (Band: D)" in text
    assert "Uplift clawbacks" in text
    assert "Backdated service fee" in text and "-£30.50" in text
    assert "Revised target (+150%)" in text
    assert "<svg" in text and "statement-chart" in text
    assert 'data-layout="combined"' in text


def test_statement_page_shows_the_split_calculation(finance_client, lead_provider):
    _, s2 = build_8_2(lead_provider)

    response = finance_client.get(change_url(s2))

    text = response.text
    assert 'data-layout="split"' in text
    assert 'id="statement-total">£3,501.60<' in text
    assert 'data-line="ects-output-payment">£318.00<' in text
    assert 'data-line="mentors-output-payment">£2,000.00<' in text
    assert 'data-line="mentor-clawbacks">-£500.00<' in text
    assert "Clawback for Completed" in text
    assert "Fee per mentor" in text


def test_support_can_view_but_not_authorise_or_adjust(client, support_user, lead_provider):
    client.force_login(support_user)
    statement = StatementFactory(lead_provider=lead_provider, payable=True)

    with time_machine.travel(AFTER_DEADLINE):
        response = client.get(change_url(statement))
        assert response.status_code == 200
        assert "Authorise for payment" not in response.text
        assert "adjustments-__prefix__-payment_type" not in response.text
        assert client.get(authorise_url(statement)).status_code == 403
        assert client.post(authorise_url(statement), {"assurance_checks_done": "yes"}).status_code == 403
        posted = client.post(
            change_url(statement), adjustment_post(statement, [{"payment_type": "X", "amount": "5"}])
        )
        assert posted.status_code == 403
    assert not Adjustment.objects.exists()
    statement.refresh_from_db()
    assert statement.marked_as_paid_at is None


def test_unknown_statement_ids_are_404_not_500(finance_client):
    for url in [
        "/admin/statements/statement/not-a-uuid/change/",
        "/admin/statements/statement/00000000-0000-0000-0000-000000000000/authorise/",
        "/admin/statements/statement/garbage/assurance-report/",
        "/admin/statements/statement/garbage/declarations/",
    ]:
        response = finance_client.get(url)
        assert response.status_code in (302, 404), url


def test_authorise_requires_the_assurance_checkbox_then_pays(finance_client, finance_user, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    declaration = put_on(statement, line_state="payable")
    expected = format_gbp(statement_calculate(statement).total)

    with time_machine.travel(AFTER_DEADLINE):
        page = finance_client.get(authorise_url(statement))
        assert page.status_code == 200
        assert "All assurance checks have been done" in page.text
        assert expected in page.text

        refused = finance_client.post(authorise_url(statement), {})
        assert refused.status_code == 200
        assert "Confirm that all assurance checks have been done" in refused.text
        statement.refresh_from_db()
        assert statement.marked_as_paid_at is None

        done = finance_client.post(authorise_url(statement), {"assurance_checks_done": "yes"})

    assert done.status_code == 302
    statement.refresh_from_db()
    declaration.refresh_from_db()
    assert statement.status == "paid"
    assert statement.marked_as_paid_by == finance_user
    assert declaration.state == "paid"
    change = DeclarationStateChange.objects.get(declaration=declaration, to_state="paid")
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))
    assert StatementSnapshot.objects.get(statement=statement).total == Decimal(
        expected.strip("£").replace(",", "")
    )
    page = finance_client.get(change_url(statement))
    assert "Authorised for payment at 11:00am on 2 Apr 2024" in page.text
    assert "Paid statement: figures as stored" in page.text


@pytest.mark.parametrize(
    ("traits", "now"),
    [
        ({}, AFTER_DEADLINE),  # open
        ({"payable": True}, dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC)),  # deadline not passed
        ({"authorised": True}, AFTER_DEADLINE),  # already authorised
        ({"paid": True}, AFTER_DEADLINE),
    ],
)
def test_authorise_is_refused_when_not_allowed(finance_client, lead_provider, traits, now):
    statement = StatementFactory(lead_provider=lead_provider, **traits)
    before = (statement.status, statement.marked_as_paid_at)

    with time_machine.travel(now):
        page = finance_client.get(change_url(statement))
        assert 'id="authorise-button"' not in page.text
        response = finance_client.post(authorise_url(statement), {"assurance_checks_done": "yes"})

    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.status, statement.marked_as_paid_at) == before


def adjustment_post(statement, rows, existing=()):
    data = {
        "adjustments-TOTAL_FORMS": str(len(existing) + len(rows)),
        "adjustments-INITIAL_FORMS": str(len(existing)),
        "adjustments-MIN_NUM_FORMS": "0",
        "adjustments-MAX_NUM_FORMS": "1000",
        "state_changes-TOTAL_FORMS": "0",
        "state_changes-INITIAL_FORMS": "0",
        "state_changes-MIN_NUM_FORMS": "0",
        "state_changes-MAX_NUM_FORMS": "1000",
    }
    for index, (adjustment, values) in enumerate(existing):
        data[f"adjustments-{index}-id"] = str(adjustment.pk)
        data[f"adjustments-{index}-statement"] = str(statement.pk)
        data.update({f"adjustments-{index}-{k}": v for k, v in values.items()})
    for offset, values in enumerate(rows):
        index = len(existing) + offset
        data[f"adjustments-{index}-statement"] = str(statement.pk)
        data.update({f"adjustments-{index}-{k}": v for k, v in values.items()})
    return data


def test_finance_adds_an_adjustment_audited_with_the_user(finance_client, finance_user, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)

    response = finance_client.post(
        change_url(statement),
        adjustment_post(statement, [{"payment_type": "  Late   fee ", "amount": "-12.50"}]),
    )

    assert response.status_code == 302
    adjustment = Adjustment.objects.get(statement=statement)
    assert (adjustment.payment_type, adjustment.amount) == ("Late fee", Decimal("-12.50"))
    history = adjustment.history.get()
    assert history.history_user_id == finance_user.pk
    assert (history.actor_kind, history.actor_id) == ("staff_user", str(finance_user.pk))
    assert "-£12.50" in finance_client.get(change_url(statement)).text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"payment_type": "  ", "amount": "10"}, "Enter a name for the adjustment."),
        ({"payment_type": "Fee", "amount": "0"}, "Enter the amount to be paid"),
        ({"payment_type": "Fee", "amount": "ten"}, "Enter the amount to be paid"),
        ({"payment_type": "Fee", "amount": ""}, "Enter the amount to be paid"),
        ({"payment_type": "Fee", "amount": "1e400"}, "Ensure that there are no more than"),
        ({"payment_type": "x" * 300, "amount": "5"}, "Ensure this value has at most 255 characters"),
    ],
)
def test_invalid_adjustments_are_refused_with_a_message(finance_client, lead_provider, values, message):
    statement = StatementFactory(lead_provider=lead_provider)

    response = finance_client.post(change_url(statement), adjustment_post(statement, [values]))

    assert response.status_code == 200
    assert message in response.text
    assert not Adjustment.objects.exists()


def test_adjustments_are_locked_once_authorised(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, authorised=True)
    adjustment = AdjustmentFactory(statement=statement)

    page = finance_client.get(change_url(statement))
    assert "adjustments-__prefix__-payment_type" not in page.text
    response = finance_client.post(
        change_url(statement),
        adjustment_post(statement, [], existing=[(adjustment, {"payment_type": "Changed", "amount": "1"})]),
    )

    assert response.status_code == 403
    adjustment.refresh_from_db()
    assert adjustment.payment_type == "Backdated service fee"


def test_paid_statement_is_read_only(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, paid=True)

    response = finance_client.post(
        change_url(statement), adjustment_post(statement, [{"payment_type": "X", "amount": "1"}])
    )

    assert response.status_code == 403
    assert not Adjustment.objects.exists()


def test_service_only_statement_has_no_editable_adjustments(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, output_fee=False)

    page = finance_client.get(change_url(statement))

    assert page.status_code == 200
    assert "adjustments-__prefix__-payment_type" not in page.text


def test_assurance_report_streams_one_row_per_line_item(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    induction = enrol(lead_provider=lead_provider, year=2023, sparsity_uplift=True)
    record = induction.training_record
    declaration = make_declaration(
        lead_provider=lead_provider, cohort=statement.cohort, participant=record.participant
    )
    StatementLineItem.objects.create(
        statement=statement, declaration=declaration, kind="output", state="eligible"
    )
    orphan = put_on(statement, line_state="voided")  # no induction record with the provider: still listed

    response = finance_client.get(reverse("admin:statements_statement_assurance_report", args=[statement.pk]))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == (
        'attachment; filename="ECF-Declarations-AmbitionInstitute-Cohort2023-April2024.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    by_id = {row["Declaration ID"]: row for row in rows}
    row = by_id[str(declaration.pk)]
    assert row["Participant ID"] == str(record.participant_id)
    assert row["Type"] == "ParticipantProfile::ECT"
    assert row["Eligible For Funding"] == "true"
    assert row["Sparsity Uplift"] == "true" and row["Uplift Payable"] == "true"
    assert row["School Urn"] == induction.induction_programme.school_cohort.school.urn
    assert row["Training Status"] == "active"
    assert row["Declaration Status"] == "eligible"
    assert row["Statement Name"] == "April 2024"
    assert by_id[str(orphan.pk)]["Declaration Status"] == "voided"
    assert by_id[str(orphan.pk)]["School Urn"] == ""


def test_voided_declarations_list(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    voided = put_on(statement, line_state="voided")
    put_on(statement)

    response = finance_client.get(
        reverse("admin:statements_statement_declarations", args=[statement.pk]) + "?state=voided"
    )

    assert response.status_code == 200
    assert str(voided.pk) in response.text
    assert "1 declaration." in response.text


def test_overview_shows_monthly_totals_chart(finance_client, lead_provider):
    build_8_1(lead_provider)
    url = reverse("admin:statements_statement_overview")

    assert finance_client.get(url).status_code == 200
    assert "Choose a lead provider" in finance_client.get(url + "?lead_provider=nope&cohort=x").text
    response = finance_client.get(f"{url}?lead_provider={lead_provider.pk}&cohort=2023")

    assert response.status_code == 200
    assert "<svg" in response.text and 'class="bar-output"' in response.text
    assert "£1,236.60" in response.text and "£597.60" in response.text


def test_statement_page_with_10000_declarations_uses_bounded_queries(
    finance_client, lead_provider, django_assert_max_num_queries
):
    statement = StatementFactory(lead_provider=lead_provider)
    previous = StatementFactory(lead_provider=lead_provider, month=1, paid=True)
    bulk_put_on(statement, 10_000)
    bulk_put_on(previous, 6, line_state="paid")
    finance_client.get(change_url(statement))  # warm caches (content types, permissions)

    with django_assert_max_num_queries(40):
        response = finance_client.get(change_url(statement))

    assert response.status_code == 200
    assert "10000 lines" in response.text
    assert Statement.objects.count() == 2


@pytest.mark.parametrize("suffix", ["history/", "change/", "delete/", "authorise/", "declarations/?page=x"])
def test_malformed_ids_never_give_a_500(finance_client, suffix):
    response = finance_client.get(f"/admin/statements/statement/not-a-uuid/{suffix}")

    assert response.status_code in (302, 403, 404)


def test_paid_statement_history_and_declarations_pages(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, paid=True)

    assert finance_client.get(f"/admin/statements/statement/{statement.pk}/history/").status_code == 200
    page = finance_client.get(
        reverse("admin:statements_statement_declarations", args=[statement.pk]) + "?page=999&state=bogus"
    )
    assert page.status_code == 200


@pytest.mark.parametrize(
    "model", ["calloffcontract", "mentorcalloffcontract", "participantband", "adjustment"]
)
@pytest.mark.parametrize("suffix", ["history/", "change/"])
def test_contract_admin_malformed_ids_never_give_a_500(admin_client, model, suffix):
    response = admin_client.get(f"/admin/statements/{model}/abc/{suffix}")

    assert response.status_code in (302, 404)


def test_contract_used_by_a_paid_statement_is_read_only(admin_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider, paid=True)
    contract = statement.call_off_contract

    response = admin_client.post(
        reverse("admin:statements_calloffcontract_change", args=[contract.pk]), {"recruitment_target": "999"}
    )

    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.recruitment_target == 4
