"""Back office: a declaration read-only with its history and attempts; finance voids on a provider's behalf."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from declarations.models import Declaration, DeclarationStateChange
from statements.models import StatementLineItem
from tests.factories.declarations import DeclarationAttemptFactory, DeclarationFactory, output_statement
from tests.factories.participants import enrol

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
    assert messages[0] == "1 declaration voided."
    assert messages[1] == (
        f'1 paid declaration is now awaiting clawback on <a href="/admin/statements/statement/{next_statement.pk}/'
        f'change/">{lead_provider} {next_statement.name} (cohort 2024)</a>.'
    )
    assert "This declaration has already been voided." in messages[2]


def test_support_user_cannot_void(client, support_user, lead_provider):
    client.force_login(support_user)
    declaration = DeclarationFactory(lead_provider=lead_provider)

    action(client, [declaration], confirm="yes")

    declaration.refresh_from_db()
    assert declaration.state == "submitted"
    assert Declaration.objects.filter(voided_by__isnull=False).count() == 0


def void_url(declaration, next_url=None):
    url = reverse("admin:declarations_declaration_void", args=[declaration.pk])
    return url + (f"?next={next_url}" if next_url else "")


def participant_url(declaration):
    return reverse("admin:participants_participant_change", args=[declaration.participant_id])


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def test_voiding_a_paid_declaration_says_which_statement_claws_it_back(
    finance_client, finance_user, lead_provider
):
    paid = DeclarationFactory(lead_provider=lead_provider, paid=True)
    next_statement = output_statement(lead_provider)
    statement_link = (
        f'<a href="/admin/statements/statement/{next_statement.pk}/change/">'
        f"{lead_provider} {next_statement.name} (cohort 2024)</a>"
    )

    page = finance_client.get(void_url(paid))
    assert page.status_code == 200
    assert f"It is paid: it will await clawback on {statement_link}" in page.text
    paid.refresh_from_db()
    assert paid.state == "paid"

    response = finance_client.post(void_url(paid), {"confirm": "yes", "next": participant_url(paid)})

    assert response.status_code == 302 and response["Location"] == participant_url(paid)
    paid.refresh_from_db()
    assert (paid.state, paid.voided_by) == ("awaiting_clawback", finance_user)
    assert StatementLineItem.objects.get(declaration=paid, kind="clawback").statement == next_statement
    assert messages_of(response) == [
        f"Declaration {paid.pk} (started, {paid.participant}) was paid, so it is now awaiting clawback on "
        f"{statement_link}."
    ]


def test_voiding_a_submitted_declaration(finance_client, lead_provider):
    submitted = DeclarationFactory(lead_provider=lead_provider)

    assert "it will be voided and will not be paid" in finance_client.get(void_url(submitted)).text
    response = finance_client.post(void_url(submitted), {"confirm": "yes"})

    submitted.refresh_from_db()
    assert submitted.state == "voided"
    assert response["Location"] == participant_url(submitted)  # back to the participant page by default
    assert messages_of(response) == [
        f"Declaration {submitted.pk} (started, {submitted.participant}) is voided."
    ]


def test_a_paid_declaration_without_a_next_statement_is_not_offered_and_not_voided(
    finance_client, lead_provider
):
    paid = DeclarationFactory(lead_provider=lead_provider, paid=True)  # no open output statement ahead

    page = finance_client.get(void_url(paid))
    assert "has no open output statement for cohort 2024" in page.text
    assert 'id="confirm-void"' not in page.text
    response = finance_client.post(void_url(paid), {"confirm": "yes"})

    paid.refresh_from_db()
    assert paid.state == "paid"
    assert not StatementLineItem.objects.filter(declaration=paid, kind="clawback").exists()
    message = messages_of(response)[0]
    assert message.startswith(f"Declaration {paid.pk} was not voided: ")
    assert "may already have been voided" in message and "contact the lead provider team" in message


@pytest.mark.parametrize("state", ["voided", "awaiting_clawback", "clawed_back"])
def test_declarations_past_voiding_are_refused(finance_client, lead_provider, state):
    declaration = DeclarationFactory(lead_provider=lead_provider, state=state)
    before = DeclarationStateChange.objects.count()

    page = finance_client.get(void_url(declaration))
    assert 'id="confirm-void"' not in page.text
    finance_client.post(void_url(declaration), {"confirm": "yes"})

    declaration.refresh_from_db()
    assert declaration.state == state
    assert DeclarationStateChange.objects.count() == before


def test_void_returns_only_to_a_local_page(finance_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = finance_client.post(void_url(declaration), {"confirm": "yes", "next": "https://evil.example/"})

    assert response["Location"] == participant_url(declaration)


def test_support_cannot_void(client, support_user, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)
    client.force_login(support_user)

    assert client.get(void_url(declaration)).status_code == 403
    assert client.post(void_url(declaration), {"confirm": "yes"}).status_code == 403
    declaration.refresh_from_db()
    assert declaration.state == "submitted"
    assert (
        "void-link"
        not in client.get(reverse("admin:declarations_declaration_change", args=[declaration.pk])).text
    )


def test_void_of_an_unknown_declaration_is_not_found(finance_client):
    for pk in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert finance_client.get(f"/admin/declarations/declaration/{pk}/void/").status_code == 404


def test_declaration_page_links_to_void_for_finance(finance_client, lead_provider):
    enrolment = enrol(lead_provider=lead_provider)
    declaration = DeclarationFactory(lead_provider=lead_provider, enrolment=enrolment)

    page = finance_client.get(reverse("admin:declarations_declaration_change", args=[declaration.pk]))

    assert f'id="void-link" href="{void_url(declaration)}"' in page.text
    assert participant_url(declaration) in page.text
