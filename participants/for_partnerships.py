"""The participants app's side of `partnerships.ports.SchoolParticipants`.

Installed in `ParticipantsConfig.ready()`; the partnership use cases reach it through
`partnerships.ports.school_participants()`.
"""

from django.db.models import Q

from config import clock
from participants.models import CurrentInductionRecord, InductionRecord, Participant, TrainingRecord
from participants.services import participants_touch


class SchoolParticipantsForPartnerships:
    def move_to_programme(self, *, from_programme_ids: list, to_programme_id) -> None:
        moving = InductionRecord.objects.filter(induction_programme_id__in=from_programme_ids)
        training_record_ids = list(moving.values_list("training_record_id", flat=True).distinct())
        moving.update(induction_programme_id=to_programme_id, updated_at=clock.now())
        CurrentInductionRecord.objects.refresh(training_record_ids=training_record_ids)

    def partnership_programmes_changed(self, *, partnership_id) -> None:
        CurrentInductionRecord.objects.refresh(
            training_record_ids=InductionRecord.objects.filter(
                induction_programme__partnership_id=partnership_id
            )
            .values_list("training_record_id", flat=True)
            .distinct()
        )

    def touch_participants_of_school(self, *, school_id) -> None:
        trains_here = TrainingRecord.objects.filter(school_cohort__school_id=school_id).values(
            "participant_id"
        )
        inducted_here = InductionRecord.objects.filter(
            induction_programme__school_cohort__school_id=school_id
        ).values("training_record__participant_id")
        participants_touch(Participant.objects.filter(Q(pk__in=trains_here) | Q(pk__in=inducted_here)))
