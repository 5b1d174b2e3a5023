"""Emails about participants: a school is told when a provider withdraws one of its participants."""

from config.mail import send_on_commit
from participants.models import LEGACY_WITHDRAW_REASON, InductionRecord, TrainingRecordType, WithdrawReason


def _school_contact(school) -> tuple[str | None, str | None]:
    """The school's induction tutor, else its primary contact, else its secondary contact (as providers see
    it in the partnerships API)."""
    if school.induction_tutor_email:
        return school.induction_tutor_name, school.induction_tutor_email
    return None, school.primary_contact_email or school.secondary_contact_email


def notify_participant_withdrawn(*, induction_record: InductionRecord, lead_provider, reason: str) -> None:
    """Emails the participant's school after the withdrawal commits (nothing when the school has no contact)."""
    record = induction_record.training_record
    school = induction_record.induction_programme.school_cohort.school
    name, address = _school_contact(school)
    send_on_commit(
        "participant_withdrawn",
        {
            "contact_name": name,
            "lead_provider": lead_provider.name,
            "participant": record.participant.full_name,
            "role": "ECT" if record.participant_type == TrainingRecordType.ECT else "mentor",
            "school": school.name,
            "reason": WithdrawReason.SWITCHED_TO_SCHOOL_LED if reason == LEGACY_WITHDRAW_REASON else reason,
            "withdrawn_at": induction_record.start_date,
        },
        to=[address],
    )
