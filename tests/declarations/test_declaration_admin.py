"""Back office: a declaration read-only with its history and attempts; finance voids on a provider's behalf."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from declarations.models import Declaration, DeclarationStateChange
from statements.models import StatementLineItem
from tests.factories.declarations import DeclarationAttemptFactory, DeclarationFactory, output_statement

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:declarations_declaration_changelist")


def action(client, declarations, **extra):
    return client.post(
        CHANGELIST,
        {
            "action": "void_on_behalf",
            helpers.ACTION_CHECKBOX_NAME: [str(d.pk) for d in declarations],
            **extra,
        },
    )


def test_change_page_shows_history_and_attempts_read_only(finance_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, eligible=True)
    DeclarationAttemptFactory(declaration=declaration, declaration_date="2024-10-01T09:30:00Z")

    response = finance_client.get(reverse("admin:declarations_declaration_change", args=[declaration.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "2024-10-01T09:30:00Z" in content  # the attempt's raw date
    assert "Declaration state changes" in content or "declaration state change" in content.lower()
    assert 'name="_save"' not in content  # nothing editable


def test_void_action_asks_for_confirmation_first(finance_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = action(finance_client, [declaration])

    assert response.status_code == 200
    assert b"Void declarations on the provider" in response.content
    assert str(declaration.pk).encode() in response.content
    declaration.refresh_from_db()
    assert declaration.state == "submitted"


def test_finance_user_voids_on_the_providers_behalf(finance_client, finance_user, lead_provider):
    submitted = DeclarationFactory(lead_provider=lead_provider)
    paid = DeclarationFactory(lead_provider=lead_provider, paid=True)
    next_statement = output_statement(lead_provider)
    already = DeclarationFactory(lead_provider=lead_provider, voided=True)

    response = action(finance_client, [submitted, paid, already], confirm="yes")

    assert response.status_code == 302
    submitted.refresh_from_db()
    paid.refresh_from_db()
    assert (submitted.state, submitted.voided_by, submitted.voided_at is not None) == (
        "voided",
        finance_user,
        True,
    )
    assert (paid.state, paid.voided_by) == ("awaiting_clawback", finance_user)
    clawback = StatementLineItem.objects.get(declaration=paid, kind="clawback")
    assert clawback.statement == next_statement
    change = DeclarationStateChange.objects.filter(declaration=submitted).last()
    assert (change.actor_kind, change.actor_id) == ("staff_user", str(finance_user.pk))
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "2 voided." in messages
    assert any("This declaration has already been voided." in m for m in messages)


def test_support_user_cannot_void(client, support_user, lead_provider):
    client.force_login(support_user)
    declaration = DeclarationFactory(lead_provider=lead_provider)

    action(client, [declaration], confirm="yes")

    declaration.refresh_from_db()
    assert declaration.state == "submitted"
    assert Declaration.objects.filter(voided_by__isnull=False).count() == 0
