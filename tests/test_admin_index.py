"""The back office landing page: a Finance section and the sandbox banner."""

import pytest

pytestmark = pytest.mark.django_db


def test_finance_section_links_to_statements_schedules_and_participants(finance_client):
    response = finance_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="finance-module"' in page
    for link in (
        "/admin/statements/statement/",
        "/admin/statements/statement/overview/",
        "/admin/participants/schedule/",
        "/admin/participants/participant/",
        "/admin/participants/participant/duplicates/",
    ):
        assert f'href="{link}' in page
    assert "Sandbox: test data only" in page


def test_support_staff_see_the_section_too(client, support_user):
    client.force_login(support_user)
    assert 'id="finance-module"' in client.get("/admin/").content.decode()


def test_no_sandbox_banner_outside_the_sandbox(finance_client, settings):
    settings.SANDBOX = False
    assert "Sandbox: test data only" not in finance_client.get("/admin/").content.decode()
