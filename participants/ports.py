"""What participants need from the declarations app, which sits above it and which it never imports.

A schedule change is refused when it would leave the participant's existing declarations outside the new
schedule's milestones, and a cohort change follows its own rules for paid declarations; so the
change-schedule use case reads the training record's live declarations through
`training_record_declarations()`.

Implemented by `declarations/for_participants.py` (`DeclarationsForParticipants`), installed in
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
