"""Shared test helpers for declarations: posting, counting, and participant state changes."""

import datetime as dt

from config.actors import ActorKind
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from participants.models import TrainingStatusChange
from statements.models import StatementLineItem

URL = "/api/v3/participant-declarations"


def ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def counts() -> dict:
    return {
        "declarations": Declaration.objects.count(),
        "state_changes": DeclarationStateChange.objects.count(),
        "line_items": StatementLineItem.objects.count(),
    }


def nothing_created() -> bool:
    return counts() == {"declarations": 0, "state_changes": 0, "line_items": 0}


def attempts() -> int:
    return DeclarationAttempt.objects.count()


def change_training_status(induction_record, lead_provider, *, to, at: dt.datetime, reason="other"):
    """The provider withdrew / deferred / resumed the participant at `at` (record + history row)."""
    before = induction_record.training_status
    {
        "withdrawn": induction_record.withdraw,
        "deferred": induction_record.defer,
        "active": induction_record.resume,
    }[to]()
    induction_record.save()
    return TrainingStatusChange.objects.create(
        training_record=induction_record.training_record,
        lead_provider=lead_provider,
        induction_record=induction_record,
        from_status=before,
        to_status=to,
        reason=None if to == "active" else reason,
        changed_at=at,
        actor_kind=ActorKind.COMMAND,
        actor_id="test",
    )


def history(declaration) -> list:
    return list(
        DeclarationStateChange.objects.filter(declaration=declaration)
        .order_by("changed_at", "id")
        .values_list("from_state", "to_state", "reason")
    )


def wire(declaration, **overrides) -> dict:
    """The v3 resource expected for `declaration` (after refresh)."""
    attributes = {
        "participant_id": str(declaration.participant_id),
        "declaration_type": declaration.declaration_type,
        "declaration_date": ts(declaration.declaration_date),
        "course_identifier": declaration.course_identifier,
        "state": declaration.state.replace("_", "-"),
        "updated_at": ts(declaration.updated_at),
        "created_at": ts(declaration.created_at),
        "delivery_partner_id": str(declaration.delivery_partner_id)
        if declaration.delivery_partner_id
        else None,
        "statement_id": None,
        "clawback_statement_id": None,
        "ineligible_for_funding_reason": None,
        "mentor_id": str(declaration.mentor_id) if declaration.mentor_id else None,
        "uplift_paid": False,
        "evidence_held": declaration.evidence_held,
        "has_passed": None,
        "lead_provider_name": declaration.lead_provider.name,
    }
    attributes.update(overrides)
    return {"id": str(declaration.id), "type": "participant-declaration", "attributes": attributes}
