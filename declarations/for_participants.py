"""The declarations app's side of `participants.ports.TrainingRecordDeclarations` and `PersonDeclarations`.

Installed in `DeclarationsConfig.ready()`; the change-schedule use case of participants reads a training
record's live declarations through `participants.ports.training_record_declarations()`, and merging two
people reads and moves their declarations through `participants.ports.person_declarations()`.
"""

from config import clock
from declarations.models import Declaration, DeclarationAttempt
from participants.ports import LiveDeclaration


class DeclarationsForParticipants:
    def live_declarations(self, *, training_record_id) -> list[LiveDeclaration]:
        return [
            LiveDeclaration(
                declaration_type=declaration.declaration_type,
                declaration_date=declaration.declaration_date,
                cohort=declaration.cohort,
                billable=declaration.state in Declaration.BILLABLE_STATES,
            )
            for declaration in Declaration.objects.filter(
                training_record_id=training_record_id, state__in=Declaration.LIVE_STATES
            )
            .select_related("cohort")
            .order_by("created_at", "id")
        ]

    def live_slots(self, *, participant_id) -> set[tuple[str, str]]:
        return set(
            Declaration.objects.filter(participant_id=participant_id, state__in=Declaration.LIVE_STATES)
            .values_list("course_identifier", "declaration_type")
            .distinct()
        )

    def move_to_person(self, *, from_participant_id, to_participant_id) -> int:
        # A new participant id is a change providers must see in their `updated_since` polls.
        now = clock.now()
        moved = Declaration.objects.filter(participant_id=from_participant_id).update(
            participant_id=to_participant_id, updated_at=now
        )
        Declaration.objects.filter(mentor_id=from_participant_id).update(
            mentor_id=to_participant_id, updated_at=now
        )
        DeclarationAttempt.objects.filter(participant_id=from_participant_id).update(
            participant_id=to_participant_id
        )
        return moved
