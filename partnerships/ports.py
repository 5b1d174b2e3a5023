"""What partnerships need from the participants app, which sits above it and which it never imports.

Reporting a partnership for a school changes where the school's participants train: those on the school
cohort's unpartnered or challenged provider-led programmes move onto the partnership's programme, and every
participant of the school gets a new `updated_at` so that providers polling for changes see it. The
participants' rows are the participants app's business; the partnership use cases ask for these writes
through `school_participants()`.

Implemented by `participants/for_partnerships.py` (`SchoolParticipantsForPartnerships`), installed in
`ParticipantsConfig.ready()`. Every method runs in the caller's transaction.
"""

from typing import Protocol, runtime_checkable

from config.ports import Port


@runtime_checkable
class SchoolParticipants(Protocol):
    def move_to_programme(self, *, from_programme_ids: list, to_programme_id) -> None:
        """Every induction record on one of `from_programme_ids` moves to `to_programme_id`."""

    def partnership_programmes_changed(self, *, partnership_id) -> None:
        """The partnership was challenged, or linked to a programme: which induction record is each
        provider's current one may have moved for the participants on its programmes."""

    def touch_participants_of_school(self, *, school_id) -> None:
        """Every participant trained at, or inducted at, the school gets a new `updated_at`."""


school_participants: Port[SchoolParticipants] = Port(
    SchoolParticipants, implemented_by="participants/for_partnerships.py"
)
