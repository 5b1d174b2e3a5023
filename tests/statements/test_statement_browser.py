"""A finance user in a real browser: open a statement, read its total, authorise payment."""

import datetime as dt
import os

import pytest

from config.actors import Actor
from statements.money import format_gbp
from statements.selectors import statement_calculate
from statements.services import statement_make_payable
from tests.statements.scenarios import build_8_1

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"),
]


@pytest.fixture
def browser_page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs its own event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_finance_user_reads_the_total_and_authorises_payment(
    live_server, browser_page, finance_user, lead_provider
):
    _, statement = build_8_1(lead_provider)
    statement_make_payable(statement_id=statement.pk, actor=Actor.command("test"), today=dt.date(2024, 4, 1))
    statement.refresh_from_db()
    expected_total = format_gbp(statement_calculate(statement).total)
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/?next=/admin/statements/statement/{statement.pk}/change/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "finance-pass")
    page.click("input[type=submit]")

    assert page.inner_text("#statement-total") == expected_total == "£1,236.60"
    assert page.inner_text("#statement-status") == "payable"

    page.click("#authorise-button")
    assert "All assurance checks have been done" in page.content()
    page.check("#assurance-checks")
    page.click("#confirm-authorise")

    page.wait_for_selector("#authorised-tag")
    assert page.inner_text("#statement-status") == "paid"
    assert page.inner_text("#statement-total") == expected_total
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert statement.marked_as_paid_by_id == finance_user.pk
