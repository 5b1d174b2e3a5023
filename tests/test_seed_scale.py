"""`seed_scale` at a small size: the data set obeys the apps' own rules, not just the database's."""

import itertools
import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from declarations import visibility
from declarations.models import Declaration, DeclarationState, DeclarationStateChange
from declarations.selectors import visible_declarations
from participants import current_records
from participants.models import Participant, TrainingStatus, TrainingStatusChange
from participants.selectors import participant_list
from partnerships.models import LeadProvider, Partnership, PartnershipStatus
from statements.models import Statement, StatementLineItem
from statements.selectors import statement_calculate

pytestmark = pytest.mark.django_db


def test_a_small_data_set_obeys_the_apps_rules(client):
    """One seed (they take seconds), every check on it."""
    out = StringIO()
    call_command("seed_scale", participants=400, declarations=1600, stdout=out)
    seeded = json.loads(out.getvalue())
    check_prints_seven_providers_largest_first_with_live_tokens(seeded, client)
    check_each_provider_sees_the_people_counted_by_the_participants_selector(seeded)
    check_every_visibility_case_is_there()
    check_declarations_in_all_eight_states_with_their_lines_and_history()
    check_statements_calculate_and_paid_ones_were_authorised()
    check_the_stored_reads_equal_a_recomputation()


def check_prints_seven_providers_largest_first_with_live_tokens(seeded, client):
    providers = seeded["lead_providers"]
    assert len(providers) == 7
    counts = [p["participants"] for p in providers]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0
    assert counts[0] / Participant.objects.count() > 0.3  # the largest holds ~40%
    response = client.get("/api/v3/participants/ecf", HTTP_AUTHORIZATION=f"Bearer {providers[0]['token']}")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 100


def check_each_provider_sees_the_people_counted_by_the_participants_selector(seeded):
    for provider in seeded["lead_providers"]:
        lead_provider = LeadProvider.objects.get(name=provider["name"])
        assert participant_list(lead_provider=lead_provider).count() == provider["participants"]


def check_every_visibility_case_is_there():
    hidden = Partnership.objects.filter(status=PartnershipStatus.CHALLENGED)
    assert hidden.exists()
    seen_by = Counter()
    for provider in LeadProvider.objects.all():
        seen_by.update(participant_list(lead_provider=provider).values_list("pk", flat=True))
    assert max(seen_by.values()) >= 2  # transfers and people who are an ECT with one, a mentor with another
    statuses = set(TrainingStatusChange.objects.values_list("to_status", flat=True))
    assert {TrainingStatus.WITHDRAWN, TrainingStatus.DEFERRED} <= statuses
    shared = Participant.objects.values("trn").annotate(n=Count("id")).filter(n__gt=1)
    assert shared.exists()
    # Another provider's live declarations for people a provider trains are visible to it.
    crossing = [
        provider
        for provider in LeadProvider.objects.all()
        if visible_declarations(lead_provider=provider, api_version="v3").exclude(lead_provider=provider).exists()
    ]
    assert crossing


def check_declarations_in_all_eight_states_with_their_lines_and_history():
    states = set(Declaration.objects.values_list("state", flat=True))
    assert states == set(DeclarationState.values)
    for declaration in Declaration.objects.prefetch_related("state_changes", "statement_line_items"):
        moves = sorted(declaration.state_changes.all(), key=lambda c: (c.changed_at, c.pk))
        assert moves[0].from_state is None and moves[-1].to_state == declaration.state
        for before, after in itertools.pairwise(moves):
            assert before.to_state == after.from_state
            assert Declaration.TRANSITIONS.allows(after.from_state, after.to_state)
        lines = {line.kind: line for line in declaration.statement_line_items.all()}
        if declaration.state == DeclarationState.SUBMITTED:
            assert not lines
        elif declaration.state in (DeclarationState.AWAITING_CLAWBACK, DeclarationState.CLAWED_BACK):
            assert lines["output"].state == "paid"
            assert lines["clawback"].state == declaration.state
        elif "output" in lines:
            assert lines["output"].state == declaration.state
        if declaration.state == DeclarationState.INELIGIBLE:
            assert declaration.superseded_by is not None
            assert DeclarationStateChange.objects.filter(declaration=declaration, reason="duplicate").exists()
    # A line sits on a statement in the status its state needs.
    paid_lines = StatementLineItem.objects.filter(state="paid")
    assert not paid_lines.exclude(statement__status=Statement.Status.PAID).exists()
    assert not StatementLineItem.objects.filter(state="payable").exclude(statement__status="payable").exists()
    assert not StatementLineItem.objects.filter(state="eligible").exclude(statement__status="open").exists()


def check_statements_calculate_and_paid_ones_were_authorised():
    assert not Statement.objects.filter(status="paid", marked_as_paid_at__isnull=True).exists()
    largest = Statement.objects.annotate(lines=Count("line_items")).order_by("-lines").first()
    calculation = statement_calculate(largest)
    assert calculation is not None


def check_the_stored_reads_equal_a_recomputation():
    """COPY skips the apps' upkeep; the seed rebuilds what they keep beside the rows."""
    assert current_records.drift() == []
    assert visibility.drift() == []
    assert not StatementLineItem.objects.filter(course_identifier__isnull=True).exists()
    line = StatementLineItem.objects.select_related("declaration").first()
    assert (line.course_identifier, line.declaration_type) == (
        line.declaration.course_identifier,
        line.declaration.declaration_type,
    )


def test_refuses_a_database_that_is_not_empty():
    LeadProvider.objects.create(name="Already here")
    with pytest.raises(CommandError, match="empty migrated database"):
        call_command("seed_scale", participants=100, declarations=10, stdout=StringIO())
