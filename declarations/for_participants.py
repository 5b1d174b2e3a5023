"""The declarations app's side of `participants.ports.TrainingRecordDeclarations`.

Installed in `DeclarationsConfig.ready()`; the change-schedule use case of participants reads a training
record's live declarations through `participants.ports.training_record_declarations()`.
"""

from declarations.models import Declaration
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
