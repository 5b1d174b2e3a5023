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
from tests.factories.partnerships import LeadProviderFactory, cohort
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

    return re.findall(r'class="field-statement"><a [^>]*>([^<]+)<', response.text)


def test_changelist_puts_payable_then_open_statements_first(finance_client, lead_provider):
    StatementFactory(lead_provider=lead_provider, month=2, paid=True)
    StatementFactory(lead_provider=lead_provider, month=3)
    StatementFactory(lead_provider=lead_provider, month=4, payable=True)
    StatementFactory(lead_provider=lead_provider, month=5)
    StatementFactory(lead_provider=lead_provider, month=1, paid=True)

    response = finance_client.get(reverse("admin:statements_statement_changelist"))

    assert response.status_code == 200
    assert rows(response) == ["April 2024", "May 2024", "March 2024", "February 2024", "January 2024"]
    assert "<h1>Statements</h1>" in response.text
    assert "Select statement" not in response.text
    assert '<strong class="status-tag status-payable">Payable</strong>' in response.text


def test_changelist_filters_by_provider_cohort_status_and_month(
    finance_client, lead_provider, other_lead_provider
):
    StatementFactory(lead_provider=lead_provider, month=3)
    StatementFactory(lead_provider=lead_provider, month=4, payable=True)
    StatementFactory(lead_provider=other_lead_provider, month=4)
    StatementFactory(lead_provider=lead_provider, cohort=cohort(2024), month=4)
    url = reverse("admin:statements_statement_changelist")

    assert rows(finance_client.get(url + "?month=2024-03")) == ["March 2024"]
    assert rows(finance_client.get(url + "?status__exact=payable")) == ["April 2024"]
    assert len(rows(finance_client.get(url + f"?lead_provider__id__exact={other_lead_provider.pk}"))) == 1
    assert len(rows(finance_client.get(url + f"?cohort__id__exact={cohort(2024).pk}"))) == 1
    for garbage in ("?month=garbage", "?month=2024-13"):
        response = finance_client.get(url + garbage)
        assert response.status_code == 200
        assert rows(response) == []


def test_changelist_uses_a_constant_number_of_queries(
    finance_client, lead_provider, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:statements_statement_changelist")
    StatementFactory(lead_provider=lead_provider, month=1)
    finance_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        finance_client.get(url)
    for month in range(2, 13):
        StatementFactory(lead_provider=LeadProviderFactory(), month=month, paid=month % 2 == 0)

    with django_assert_num_queries(len(few)):
        response = finance_client.get(url)

    assert len(rows(response)) == 12


def test_selector_opens_the_chosen_or_current_statement(finance_client, lead_provider):
    march = StatementFactory(lead_provider=lead_provider, month=3)
    april = StatementFactory(lead_provider=lead_provider, month=4)
    find = reverse("admin:statements_statement_find")

    chosen = finance_client.get(find, {"lead_provider": lead_provider.pk, "cohort": 2023, "month": "2024-03"})
    assert chosen.status_code == 302 and chosen["Location"] == change_url(march)
    with time_machine.travel(dt.datetime(2024, 3, 15, tzinfo=dt.UTC)):
        current = finance_client.get(find, {"lead_provider": lead_provider.pk})
    assert current["Location"] == change_url(april)  # the earliest cut off date still ahead
    latest = finance_client.get(find, {"lead_provider": lead_provider.pk})
    assert latest["Location"] == change_url(april)  # none ahead: the latest one

    missing = finance_client.get(
        find, {"lead_provider": lead_provider.pk, "cohort": 2023, "month": "2030-01"}
    )
    assert missing["Location"] == reverse("admin:statements_statement_changelist")
    assert "No statement matches" in finance_client.get(missing["Location"]).text
    no_provider = finance_client.get(find, {"lead_provider": "x"})
    assert "Choose a lead provider." in finance_client.get(no_provider["Location"]).text


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
    assert f"<h1>{lead_provider} – April 2024</h1>" in text


def test_statement_page_is_a_view_without_a_form_to_save(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    AdjustmentFactory(statement=statement)

    response = finance_client.get(change_url(statement))

    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert 'name="_continue"' not in response.text
    assert "<h1>Change statement" not in response.text and "<h1>View statement" not in response.text
    assert 'id="add-adjustment"' in response.text  # the actions are links to their own pages
    assert finance_client.post(change_url(statement), {"status": "paid"}).status_code == 405
    statement.refresh_from_db()
    assert statement.status == "open"


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


def test_chart_stacks_every_part_of_each_month_with_a_text_alternative(finance_client, lead_provider):
    _, s2 = build_8_1(lead_provider)

    text = finance_client.get(change_url(s2)).text

    chart = text[text.index('<svg xmlns="http://www.w3.org/2000/svg" role="img"') :]
    chart = chart[: chart.index("</svg>")]
    for key in ("output", "service", "uplift", "adjustments", "clawbacks"):
        assert f'class="bar bar-{key}"' in chart, key
        assert f'legend-{key}"' in chart, key
    assert 'viewBox="0 0 960 320"' in chart and 'width="100%"' in chart
    assert 'aria-describedby="chart-figures"' in chart
    # Hovering a month gives its figures; the table holds the same ones as text.
    assert "April 2024 (open): Output payments £701.00; Service fee £50.00; Uplift fees £300.00; " in chart
    assert "Adjustments £219.50; Clawbacks -£240.00; total excluding VAT £1,030.50; total £1,236.60" in chart
    table = text[text.index('<table id="chart-figures"') :]
    table = table[: table.index("</table>")]
    assert ">£701.00<" in table and ">-£240.00<" in table and ">£1,236.60<" in table
    assert ">£597.60<" in table  # March 2024, paid


def test_statement_history_names_people_and_commands(finance_client, finance_user, lead_provider):
    from config.actors import Actor
    from statements.adjustments import adjustment_add, adjustment_change
    from statements.models import StatementStateChange

    finance_user.first_name, finance_user.last_name = "Fran", "Finance"
    finance_user.save()
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    StatementStateChange.objects.create(
        statement=statement,
        from_status=None,
        to_status="open",
        actor_kind="command",
        actor_id="import_statements",
    )
    StatementStateChange.objects.create(
        statement=statement,
        from_status="open",
        to_status="payable",
        actor_kind="command",
        actor_id="mark_statements_payable",
    )
    added = adjustment_add(
        statement_id=statement.pk,
        payment_type="Late fee",
        amount=Decimal("-12.50"),
        actor=Actor.staff(finance_user),
    )
    adjustment_change(
        adjustment_id=added.pk,
        payment_type="Late fee",
        amount=Decimal("-10.00"),
        actor=Actor.staff(finance_user),
    )

    text = finance_client.get(change_url(statement)).text

    history = text[text.index('id="statement-history"') :]
    history = history[: history.index("</table>")]
    assert "the import_statements command" in history and "Statement created (open)" in history
    assert "the mark_statements_payable command" in history and "Made payable" in history
    assert "Fran Finance (finance@example.com)" in history
    assert "Added adjustment “Late fee” of -£12.50" in history
    assert "Changed adjustment “Late fee”: amount -£12.50 to -£10.00" in history
    assert "Actor ID" not in history and "None" not in history and "→" not in history


def test_statement_page_uses_a_constant_number_of_queries(
    finance_client, lead_provider, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statement = StatementFactory(lead_provider=lead_provider)
    AdjustmentFactory(statement=statement)
    put_on(statement)
    finance_client.get(change_url(statement))
    with CaptureQueriesContext(connection) as few:
        finance_client.get(change_url(statement))
    for month in (1, 2, 3):
        put_on(StatementFactory(lead_provider=lead_provider, month=month, paid=True), line_state="paid")
    for _ in range(5):
        put_on(statement)
        AdjustmentFactory(statement=statement, amount=Decimal("5"))

    with django_assert_num_queries(len(few)):
        response = finance_client.get(change_url(statement))

    assert response.status_code == 200
    assert "6 lines" in response.text


def test_support_can_neither_see_nor_act_on_statements(client, support_user, lead_provider):
    client.force_login(support_user)
    statement = StatementFactory(lead_provider=lead_provider, payable=True)
    adjustment = AdjustmentFactory(statement=statement)

    with time_machine.travel(AFTER_DEADLINE):
        for url in (
            change_url(statement),
            authorise_url(statement),
            reverse("admin:statements_statement_changelist"),
            reverse("admin:statements_statement_overview"),
            reverse("admin:statements_statement_assurance_report", args=[statement.pk]),
        ):
            assert client.get(url).status_code == 403, url
        assert client.post(authorise_url(statement), {"assurance_checks_done": "yes"}).status_code == 403
        for url, data in [
            (add_url(statement), {"payment_type": "X", "amount": "5", "confirm": "yes"}),
            (adjustment_url(adjustment, "change"), {"payment_type": "X", "amount": "5", "confirm": "yes"}),
            (adjustment_url(adjustment, "remove"), {"confirm": "yes"}),
        ]:
            assert client.post(url, data).status_code == 403, url
    assert list(Adjustment.objects.values_list("payment_type", "amount")) == [
        ("Backdated service fee", Decimal("250.00"))
    ]
    statement.refresh_from_db()
    assert statement.marked_as_paid_at is None


def test_finance_without_the_authorise_permission_cannot_authorise(client, finance_user, lead_provider):
    from django.contrib.auth.models import Permission

    finance_user.groups.clear()
    finance_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_statement", "add_adjustment"])
    )
    client.force_login(finance_user)
    statement = StatementFactory(lead_provider=lead_provider, payable=True)

    with time_machine.travel(AFTER_DEADLINE):
        page = client.get(change_url(statement))
        assert page.status_code == 200 and 'id="authorise-button"' not in page.text
        assert client.post(authorise_url(statement), {"assurance_checks_done": "yes"}).status_code == 403
    statement.refresh_from_db()
    assert (statement.status, statement.marked_as_paid_at) == ("payable", None)


def test_staff_without_a_group_cannot_see_statements(client, django_user_model, lead_provider):
    user = django_user_model.objects.create_user(username="nobody", password="x", is_staff=True)
    client.force_login(user)
    statement = StatementFactory(lead_provider=lead_provider)

    assert client.get(change_url(statement)).status_code == 403
    assert client.get(reverse("admin:statements_statement_overview")).status_code == 403
    assert (
        client.post(add_url(statement), {"payment_type": "X", "amount": "5", "confirm": "yes"}).status_code
        == 403
    )
    assert not Adjustment.objects.exists()


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


def add_url(statement):
    return reverse("admin:statements_statement_adjustment_add", args=[statement.pk])


def adjustment_url(adjustment, verb):
    return reverse(
        f"admin:statements_statement_adjustment_{verb}", args=[adjustment.statement_id, adjustment.pk]
    )


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def test_finance_adds_an_adjustment_after_checking_it(finance_client, finance_user, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)

    form = finance_client.get(add_url(statement))
    assert form.status_code == 200 and 'name="payment_type"' in form.text
    check = finance_client.post(add_url(statement), {"payment_type": "  Late   fee ", "amount": "-12.50"})
    assert check.status_code == 200
    assert "Check the adjustment" in check.text and "-£12.50" in check.text and "Late fee" in check.text
    assert not Adjustment.objects.exists()
    edit = finance_client.post(
        add_url(statement), {"payment_type": "Late fee", "amount": "-12.50", "edit": "1"}
    )
    assert 'value="Late fee"' in edit.text and "Check the adjustment" not in edit.text

    done = finance_client.post(
        add_url(statement), {"payment_type": "Late fee", "amount": "-12.50", "confirm": "yes"}
    )

    assert done.status_code == 302 and done["Location"] == change_url(statement) + "#additional-adjustments"
    adjustment = Adjustment.objects.get(statement=statement)
    assert (adjustment.payment_type, adjustment.amount) == ("Late fee", Decimal("-12.50"))
    history = adjustment.history.get()
    assert history.history_user_id == finance_user.pk
    assert (history.actor_kind, history.actor_id) == ("staff_user", str(finance_user.pk))
    assert messages_of(done) == [
        f"Added adjustment “Late fee” of -£12.50 to {lead_provider} April 2024 (cohort 2023)."
    ]
    assert "-£12.50" in finance_client.get(change_url(statement)).text


def test_finance_changes_and_removes_an_adjustment(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    adjustment = AdjustmentFactory(statement=statement)

    changed = finance_client.post(
        adjustment_url(adjustment, "change"),
        {"payment_type": "Backdated fee", "amount": "200", "confirm": "yes"},
    )
    adjustment.refresh_from_db()
    assert (adjustment.payment_type, adjustment.amount) == ("Backdated fee", Decimal("200.00"))
    assert messages_of(changed) == [
        "Changed adjustment “Backdated service fee” of £250.00 to “Backdated fee” of £200.00 on "
        f"{lead_provider} April 2024 (cohort 2023)."
    ]

    confirm = finance_client.get(adjustment_url(adjustment, "remove"))
    assert "Remove the adjustment “Backdated fee” of £200.00" in confirm.text
    assert Adjustment.objects.exists()
    removed = finance_client.post(adjustment_url(adjustment, "remove"), {"confirm": "yes"})

    assert removed.status_code == 302
    assert not Adjustment.objects.exists()
    assert messages_of(removed) == [
        f"Removed adjustment “Backdated fee” of £200.00 from {lead_provider} April 2024 (cohort 2023)."
    ]
    assert [row.history_type for row in Adjustment.history.order_by("history_date")] == ["+", "~", "-"]


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
    ids=["blank-name", "zero", "not-a-number", "no-amount", "too-large", "name-too-long"],
)
def test_invalid_adjustments_are_refused_with_a_message(finance_client, lead_provider, values, message):
    statement = StatementFactory(lead_provider=lead_provider)

    response = finance_client.post(add_url(statement), {**values, "confirm": "yes"})

    assert response.status_code == 200
    assert message in response.text
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("traits", "reason"),
    [
        ({"authorised": True}, "authorised"),
        ({"paid": True}, "paid"),
        ({"output_fee": False}, "service fee only"),
    ],
    ids=["authorised", "paid", "service-fee-only"],
)
def test_adjustment_pages_send_finance_back_when_adjustments_are_closed(
    finance_client, lead_provider, traits, reason
):
    statement = StatementFactory(lead_provider=lead_provider, **traits)
    adjustment = AdjustmentFactory(statement=statement)

    page = finance_client.get(change_url(statement))
    assert 'id="add-adjustment"' not in page.text and ">Change<" not in page.text
    for url, data in [
        (add_url(statement), {"payment_type": "X", "amount": "1", "confirm": "yes"}),
        (adjustment_url(adjustment, "change"), {"payment_type": "Changed", "amount": "1", "confirm": "yes"}),
        (adjustment_url(adjustment, "remove"), {"confirm": "yes"}),
    ]:
        response = finance_client.post(url, data)
        assert response.status_code == 302 and response["Location"] == change_url(statement), url
        assert "can no longer change" in messages_of(response)[-1]

    assert list(Adjustment.objects.values_list("payment_type", flat=True)) == ["Backdated service fee"]


def test_an_adjustment_of_another_statement_is_not_found(finance_client, lead_provider):
    statement = StatementFactory(lead_provider=lead_provider)
    other = AdjustmentFactory(statement=StatementFactory(lead_provider=lead_provider, month=5))

    url = reverse("admin:statements_statement_adjustment_remove", args=[statement.pk, other.pk])

    assert finance_client.post(url, {"confirm": "yes"}).status_code == 404
    assert Adjustment.objects.filter(pk=other.pk).exists()


def test_adjustment_service_refuses_a_locked_statement(lead_provider, finance_user):
    from config.actors import Actor
    from statements.adjustments import adjustment_add
    from statements.exceptions import AdjustmentNotEditableError

    statement = StatementFactory(lead_provider=lead_provider, authorised=True)

    with pytest.raises(AdjustmentNotEditableError, match="it has been authorised for payment"):
        adjustment_add(
            statement_id=statement.pk, payment_type="X", amount=Decimal("1"), actor=Actor.staff(finance_user)
        )
    assert not Adjustment.objects.exists()


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


def test_overview_opens_on_the_current_cohorts(finance_client, lead_provider, other_lead_provider):
    StatementFactory(lead_provider=lead_provider, cohort=cohort(2022), month=1, paid=True)
    StatementFactory(lead_provider=lead_provider, month=3, paid=True)
    StatementFactory(lead_provider=lead_provider, month=4, payable=True)
    StatementFactory(lead_provider=lead_provider, month=5)
    StatementFactory(lead_provider=other_lead_provider, cohort=cohort(2024), month=6)

    with time_machine.travel(dt.datetime(2024, 4, 10, tzinfo=dt.UTC)):
        response = finance_client.get(reverse("admin:statements_statement_overview"))

    assert response.status_code == 200
    grid = response.text[response.text.index('id="overview-grid"') :]
    grid = grid[: grid.index("</table>")]
    assert "Cohort 2023" in grid and "Cohort 2024" in grid
    assert "Cohort 2022" not in grid  # every statement paid: no longer current
    assert ">May 2024</a>" in grid  # the next cut off date
    assert "1 payable, awaiting authorisation" in grid
    assert ">June 2024</a>" in grid


def test_overview_grid_uses_a_constant_number_of_queries(
    finance_client, lead_provider, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:statements_statement_overview")
    StatementFactory(lead_provider=lead_provider, month=4)
    finance_client.get(url)
    with CaptureQueriesContext(connection) as few:
        finance_client.get(url)
    for index in range(5):
        provider = LeadProviderFactory(name=f"Provider {index}")
        for month in (3, 4, 5):
            StatementFactory(lead_provider=provider, month=month, payable=month == 3)
            StatementFactory(lead_provider=provider, cohort=cohort(2024), month=month)

    with django_assert_num_queries(len(few)):
        response = finance_client.get(url)

    assert response.text.count("1 payable, awaiting authorisation") == 5


def test_overview_shows_one_provider_and_cohort_month_by_month(
    finance_client, lead_provider, django_assert_max_num_queries
):
    build_8_1(lead_provider)
    url = reverse("admin:statements_statement_overview")

    assert "Choose a lead provider" in finance_client.get(url + "?lead_provider=nope&cohort=x").text
    with django_assert_max_num_queries(25):
        response = finance_client.get(f"{url}?lead_provider={lead_provider.pk}&cohort=2023")

    assert response.status_code == 200
    assert "<svg" in response.text and 'class="bar bar-output"' in response.text
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

    history = finance_client.get(f"/admin/statements/statement/{statement.pk}/history/")
    assert history.status_code == 302 and history["Location"] == change_url(statement) + "#history"
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
