"""PUT /api/v3/participant-declarations/{id}/void."""

import datetime as dt

import pytest

from declarations import exceptions as texts
from declarations.models import Declaration
from statements.models import StatementLineItem
from tests.declarations.helpers import URL, history, wire
from tests.factories.declarations import DeclarationFactory, output_statement, past_statement

pytestmark = pytest.mark.django_db


def void(client, declaration):
    return client.put_json(f"{URL}/{declaration.pk}/void")


def invalid_action(detail):
    return {"errors": [{"title": "Invalid action", "detail": detail}]}


def test_void_submitted(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = void(provider_client, declaration)

    assert response.status_code == 200
    declaration.refresh_from_db()
    assert declaration.state == "voided"
    assert response.json() == {"data": wire(declaration)}
    assert (declaration.voided_at, declaration.voided_by) == (None, None)
    assert history(declaration)[-1] == ("submitted", "voided", None)


@pytest.mark.parametrize("state", ["eligible", "payable"])
def test_void_billable_declaration_voids_its_line_item(provider_client, lead_provider, state):
    declaration = DeclarationFactory(lead_provider=lead_provider, state=state)
    line = StatementLineItem.objects.get(declaration=declaration)

    response = void(provider_client, declaration)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["state"] == "voided"
    assert response.json()["data"]["attributes"]["statement_id"] is None
    line.refresh_from_db()
    assert line.state == "voided"
    assert line.statement_id is not None  # stays on its statement
    assert history(declaration)[-1] == (state, "voided", None)


def test_void_ineligible_declaration_voids_its_line(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, ineligible=True)
    line = StatementLineItem.objects.create(
        statement=output_statement(lead_provider), declaration=declaration, kind="output", state="ineligible"
    )

    response = void(provider_client, declaration)

    assert response.status_code == 200
    line.refresh_from_db()
    assert line.state == "voided"


def test_void_needs_no_open_statement_for_unpaid_declarations(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, payable=True)
    from statements.models import Statement

    Statement.objects.update(deadline_date=dt.date(2024, 1, 1), payment_date=dt.date(2024, 1, 25))

    assert void(provider_client, declaration).status_code == 200


def test_void_paid_declaration_awaits_clawback(provider_client, lead_provider):
    paid_on = past_statement(lead_provider)
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True, lines=paid_on)
    next_statement = output_statement(lead_provider)

    response = void(provider_client, declaration)

    assert response.status_code == 200
    declaration.refresh_from_db()
    assert declaration.state == "awaiting_clawback"
    assert response.json() == {
        "data": wire(declaration, statement_id=str(paid_on.id), clawback_statement_id=str(next_statement.id))
    }
    lines = {line.kind: line for line in StatementLineItem.objects.filter(declaration=declaration)}
    assert (lines["output"].state, lines["output"].statement) == ("paid", paid_on)
    assert (lines["clawback"].state, lines["clawback"].statement) == ("awaiting_clawback", next_statement)
    assert history(declaration)[-1] == ("paid", "awaiting_clawback", None)


def test_paid_started_with_uplift_shows_uplift_paid(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True, pupil_premium_uplift=True)

    response = provider_client.get(f"{URL}/{declaration.pk}")

    assert response.json()["data"]["attributes"]["uplift_paid"] is True


def test_void_paid_declaration_without_next_statement_is_refused(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True)

    response = void(provider_client, declaration)

    assert response.status_code == 422
    assert response.json() == invalid_action(
        "Participant declaration " + texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024)
    )
    declaration.refresh_from_db()
    assert declaration.state == "paid"
    assert StatementLineItem.objects.filter(declaration=declaration).count() == 1
    assert len(history(declaration)) == 2


def test_void_paid_declaration_with_a_refundable_line_lists_every_reason(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, paid=True)
    StatementLineItem.objects.create(
        statement=past_statement(lead_provider, status="payable"),
        declaration=declaration,
        kind="clawback",
        state="awaiting_clawback",
    )

    response = void(provider_client, declaration)

    assert response.json() == invalid_action(
        "Participant declaration will or has been be refunded, Participant declaration "
        + texts.NO_OUTPUT_FEE_STATEMENTS.format(year=2024)
    )


def test_void_voided_again(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider, voided=True)

    response = void(provider_client, declaration)

    assert response.status_code == 422
    assert response.json() == invalid_action("This declaration has already been voided.")
    assert len(history(declaration)) == 2


@pytest.mark.parametrize("state", ["awaiting_clawback", "clawed_back"])
def test_void_clawed_back_is_refused(provider_client, lead_provider, state):
    declaration = DeclarationFactory(lead_provider=lead_provider, state=state)

    response = void(provider_client, declaration)

    assert response.status_code == 422
    assert response.json() == invalid_action(
        "This declaration has been clawed-back, so you can only view it."
    )
    declaration.refresh_from_db()
    assert declaration.state == state


def test_void_another_providers_declaration_is_not_found(other_provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = void(other_provider_client, declaration)

    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}
    declaration.refresh_from_db()
    assert declaration.state == "submitted"


def test_void_a_visible_previous_providers_declaration_is_not_found(other_provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)
    # Visible to the other provider, which trains the participant …
    from participants.models import InductionRecord
    from tests.factories.partnerships import InductionProgrammeFactory, PartnershipFactory, cohort

    InductionRecord.objects.create(
        training_record=declaration.training_record,
        induction_programme=InductionProgrammeFactory(
            school_cohort=declaration.training_record.school_cohort,
            partnership=PartnershipFactory(
                lead_provider=other_provider_client.lead_provider, cohort=cohort(2024)
            ),
        ),
        schedule=declaration.training_record.schedule,
        start_date=dt.datetime(2024, 12, 1, tzinfo=dt.UTC),
    )
    assert other_provider_client.get(f"{URL}/{declaration.pk}").status_code == 200

    # … but not voidable by it.
    assert void(other_provider_client, declaration).status_code == 404


@pytest.mark.parametrize("pk", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"])
def test_void_unknown_id(provider_client, pk):
    response = provider_client.put_json(f"{URL}/{pk}/void")

    assert response.status_code == 404
    assert response.json() == {"error": "Resource not Found"}


def test_void_then_resubmit_and_void_again(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)
    assert void(provider_client, declaration).status_code == 200
    assert void(provider_client, declaration).status_code == 422
    assert Declaration.objects.get().state == "voided"


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "{pk}"), ("patch", "{pk}"), ("delete", "{pk}"), ("post", "{pk}/void"), ("get", "{pk}/void")],
)
def test_other_methods_are_unknown_routes(provider_client, lead_provider, method, path):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = getattr(provider_client, method)(f"{URL}/{path.format(pk=declaration.pk)}")

    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.state == "submitted"


def test_void_ignores_any_body(provider_client, lead_provider):
    declaration = DeclarationFactory(lead_provider=lead_provider)

    response = provider_client.put_json(
        f"{URL}/{declaration.pk}/void", {"data": {"attributes": {"state": "paid"}}}
    )

    assert response.json()["data"]["attributes"]["state"] == "voided"
