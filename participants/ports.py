"""What participants need from the declarations app, which sits above it and which it never imports.

A schedule change is refused when it would leave the participant's existing declarations outside the new
schedule's milestones, and a cohort change follows its own rules for paid declarations; so the
change-schedule use case reads the training record's live declarations through
`training_record_declarations()`.

Merging a duplicate person into another must refuse when both hold a live declaration for the same slot, and
moves the retired person's declarations to the survivor; it asks through `person_declarations()`.

Both are implemented by `declarations/for_participants.py` (`DeclarationsForParticipants`), installed in
`DeclarationsConfig.ready()`. (Declarations also react to eligibility changes, through the
`participants.signals.eligibility_changed` event.)
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from config.ports import Port
from partnerships.models import Cohort


@dataclass(frozen=True)
class LiveDeclaration:
    """A live declaration (one that occupies its slot) of a training record."""

    declaration_type: str
    declaration_date: dt.datetime
    cohort: Cohort
    billable: bool  # it is, or will be, paid for


@runtime_checkable
class TrainingRecordDeclarations(Protocol):
    def live_declarations(self, *, training_record_id) -> list[LiveDeclaration]:
        """The training record's live declarations, with their cohorts."""


training_record_declarations: Port[TrainingRecordDeclarations] = Port(
    TrainingRecordDeclarations, implemented_by="declarations/for_participants.py"
)


@runtime_checkable
class PersonDeclarations(Protocol):
    def live_slots(self, *, participant_id) -> set[tuple[str, str]]:
        """The (course identifier, declaration type) slots the person holds a live declaration in."""

    def move_to_person(self, *, from_participant_id, to_participant_id) -> int:
        """Every declaration (and submission attempt) of one person, or naming them as mentor, now names the
        other; returns the number of declarations moved. Runs inside the merge's transaction."""


person_declarations: Port[PersonDeclarations] = Port(
    PersonDeclarations, implemented_by="declarations/for_participants.py"
)
