"""Finance and support staff in a real browser at 1366 px: find and authorise a statement, void on a provider's
behalf and find the clawback on the next statement, change a training status, read the payments chart, and
merge duplicate records."""

import datetime as dt

import pytest

from config import clock
from config.actors import Actor
from statements.money import format_gbp
from statements.selectors import statement_calculate
from statements.services import statement_make_payable
from tests.factories.declarations import DeclarationFactory
from tests.factories.participants import enrol
from tests.factories.partnerships import cohort
from tests.factories.statements import CallOffContractFactory, StatementFactory, put_on
from tests.statements.scenarios import build_8_1

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 1366


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, "the element is not rendered"
    return box["x"] + box["width"]


def test_finance_finds_and_authorises_a_payable_statement(page, sign_in, shoot, finance_user, lead_provider):
    _, statement = build_8_1(lead_provider)
    StatementFactory(lead_provider=lead_provider, month=6)  # open, listed after the payable one
    statement_make_payable(statement_id=statement.pk, actor=Actor.command("test"), today=dt.date(2024, 4, 1))
    expected_total = format_gbp(statement_calculate(statement).total)

    sign_in("finance", "finance-pass", "/admin/statements/statement/")
    assert page.inner_text("h1") == "Statements"
    first_row = page.locator("#result_list tbody tr").first
    assert first_row.locator(".field-statement").inner_text() == "April 2024"  # payable first
    status = first_row.locator(".status-tag")
    assert status.inner_text().lower() == "payable"
    assert right_edge(status) <= WIDTH  # the status is visible without scrolling sideways
    assert right_edge(first_row.locator("td").last) <= WIDTH  # and so is every other column
    shoot("01-statement-list")

    page.click("#changelist-filter a:text-is('Payable')")
    assert page.locator("#result_list tbody tr").count() == 1
    page.click("#result_list .field-statement a")

    assert page.inner_text("#statement-total") == expected_total == "£1,236.60"
    assert page.inner_text("#statement-status") == "payable"
    assert page.locator("input[name=_save]").count() == 0
    shoot("02-statement-page")

    page.click("#authorise-button")
    assert "All assurance checks have been done" in page.content()
    shoot("03-authorise")
    page.click("#confirm-authorise")  # without the checkbox: the browser asks for it, nothing is sent
    assert page.url.endswith("/authorise/")
    page.check("#assurance-checks")
    page.click("#confirm-authorise")

    page.wait_for_selector("#authorised-tag")
    assert page.inner_text("#statement-status") == "paid"
    assert page.inner_text("#statement-total") == expected_total
    assert f"{lead_provider} April 2024 (cohort 2023) is authorised for payment and paid" in page.inner_text(
        ".messagelist"
    )
    assert "Authorised for payment" in page.inner_text("#statement-history")
    assert finance_user.email in page.inner_text("#statement-history")
    statement.refresh_from_db()
    assert (statement.status, statement.marked_as_paid_by_id) == ("paid", finance_user.pk)


def test_finance_voids_a_paid_declaration_and_finds_the_clawback_on_the_next_statement(
    page, sign_in, shoot, finance_user, lead_provider
):
    c2024 = cohort(2024)
    contract = CallOffContractFactory(lead_provider=lead_provider, cohort=c2024)
    paid_statement = StatementFactory(
        lead_provider=lead_provider, cohort=c2024, year=2025, month=1, paid=True, call_off_contract=contract
    )
    ahead = clock.today() + dt.timedelta(days=40)
    next_statement = StatementFactory(
        lead_provider=lead_provider,
        cohort=c2024,
        year=ahead.year,
        month=ahead.month,
        call_off_contract=contract,
    )
    enrolment = enrol(lead_provider=lead_provider)
    person = enrolment.training_record.participant
    declaration = DeclarationFactory(
        lead_provider=lead_provider, enrolment=enrolment, paid=True, lines=paid_statement
    )

    sign_in("finance", "finance-pass", f"/admin/participants/participant/{person.pk}/change/")
    block = page.locator(f"#declaration-{declaration.pk}")
    assert block.locator(".declaration-state").inner_text() == "paid"
    shoot("04-participant-page")
    block.locator("a.void-declaration").click()

    assert f"it will await clawback on {lead_provider} {next_statement.name}" in page.inner_text(
        "#void-outcome"
    )
    shoot("05-void-confirmation")
    page.click("#confirm-void")

    message = page.locator(".messagelist li.success")
    assert (
        f"was paid, so it is now awaiting clawback on {lead_provider} {next_statement.name}"
        in message.inner_text()
    )
    assert (
        page.locator(f"#declaration-{declaration.pk} .declaration-state").inner_text() == "awaiting-clawback"
    )
    message.locator("a").click()

    assert page.inner_text("h1") == f"{lead_provider} – {next_statement.name}"
    clawbacks = page.inner_text("#clawbacks")
    assert "Clawback for Started (Band: A)" in clawbacks and "-£120.00" in clawbacks
    assert page.inner_text("[data-line=clawbacks]") == "-£120.00"
    shoot("06-next-statement-with-clawback")


def test_support_finds_a_participant_and_finance_changes_the_training_status(
    page, sign_in, shoot, finance_user, lead_provider
):
    enrolment = enrol(lead_provider=lead_provider)
    person = enrolment.training_record.participant
    person.full_name, person.trn = "Grace Hopper", "7001234"
    person.save()
    enrol(lead_provider=lead_provider)  # someone else

    sign_in("finance", "finance-pass")
    page.click("#finance-module a:text-is('Search participant data')")
    page.fill("#searchbar", "7001234")
    page.press("#searchbar", "Enter")
    assert page.locator("#result_list tbody tr").count() == 1
    shoot("07-participant-search")
    page.click("#result_list a:text-is('Grace Hopper')")

    assert page.inner_text("h1") == "Grace Hopper"
    page.click("a.change-training-status")
    assert page.inner_text("#current-status") == "active"
    assert page.locator("input[name=training_status][value=active]").count() == 0
    page.check("input[name=training_status][value=deferred]")
    page.click("#change-status")  # no reason yet
    assert "Choose why the participant is deferred" in page.inner_text("#training-status-form")
    page.check("input[name=training_status][value=deferred]")
    page.select_option("select[name=reason]", "career-break")
    shoot("08-change-training-status")
    page.click("#change-status")

    assert page.inner_text("h1") == "Grace Hopper"
    assert (
        f"Grace Hopper's ECT training with {lead_provider} is now deferred (career-break) (was active)."
        in page.inner_text(".messagelist")
    )
    assert (
        page.locator(".induction-records tr.latest-with-provider .training-status").inner_text() == "deferred"
    )
    assert "career-break" in page.inner_text(".status-history")
    shoot("09-participant-after-change")


def test_payments_chart_fits_the_page_at_1366_px(page, sign_in, shoot, finance_user, lead_provider):
    _, april = build_8_1(lead_provider)
    for year, month in [(2024, m) for m in range(5, 13)] + [(2025, 1), (2025, 2)]:
        statement = StatementFactory(
            lead_provider=lead_provider, year=year, month=month, call_off_contract=april.call_off_contract
        )
        for _ in range(month % 3):
            put_on(statement)

    sign_in("finance", "finance-pass", f"/admin/statements/statement/{april.pk}/change/")
    chart = page.locator("svg.statement-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # nothing scrolls sideways
    for key in ("output", "service", "uplift", "adjustments", "clawbacks"):
        bar = chart.locator(f"rect.bar-{key}").first
        assert bar.bounding_box()["height"] >= 1, key
        assert right_edge(chart.locator(f".legend-{key}")) <= WIDTH, key
    assert chart.locator("g.month").count() == 12
    assert (
        "April 2024 (open): Output payments £701.00"
        in chart.locator("g.month.highlight > title").text_content()
    )
    shoot("10-payments-chart")

    page.click("#chart-figures-details summary")
    assert page.locator("#chart-figures tbody tr").count() == 12
    assert page.locator("#chart-figures").is_visible()

    page.goto("/admin/statements/statement/overview/")
    assert page.locator("#overview-grid").is_visible()
    page.click(f"#overview-grid a[href*='lead_provider={lead_provider.pk}']:text-is('All months')")
    overview_chart = page.locator("svg.statement-chart")
    assert right_edge(overview_chart) <= WIDTH
    shoot("11-overview")


def test_support_merges_duplicate_records(
    page, sign_in, shoot, support_user, lead_provider, other_lead_provider
):
    from participants.models import Participant, ParticipantIdChange
    from tests.factories.participants import ParticipantFactory

    kept = enrol(
        lead_provider=lead_provider, participant=ParticipantFactory(full_name="Ada Kept", trn="7009999")
    )
    retired = enrol(
        lead_provider=other_lead_provider,
        participant=ParticipantFactory(full_name="Ada Twice", trn="7009999"),
        participant_type="mentor",
    )
    retired_id = retired.training_record.participant_id

    sign_in("support", "support-pass")
    page.click("#finance-module a:text-is('Search duplicate records')")
    group = page.locator("#trn-7009999")
    assert group.locator("tbody tr").count() == 2
    shoot("12-duplicate-records")
    group.locator("a.merge-link:text-is('Merge into Ada Kept')").click()

    assert "Merge Ada Twice into another person" in page.inner_text("h1")
    assert "Mentor training record" in page.inner_text("#moving-records")
    shoot("13-merge-confirmation")
    page.click("#confirm-merge")

    assert page.inner_text("h1") == "Ada Kept"
    assert f"filter[from_participant_id]={retired_id}" in page.inner_text(".messagelist")
    assert str(retired_id) in page.inner_text("tr.retired-id")
    assert page.locator(".record-section").count() == 2  # the ECT record kept and the mentor record moved
    shoot("14-merged-participant")
    assert not Participant.objects.filter(pk=retired_id).exists()
    assert ParticipantIdChange.objects.get(from_participant_id=retired_id).participant_id == (
        kept.training_record.participant_id
    )
