"""Emails about partnerships: the provider is told when a school challenges one of its partnerships."""

from config.mail import send_on_commit
from partnerships.models import ChallengeReason, Partnership

# How the public service words each challenge reason to the provider.
CHALLENGE_REASON_TEXT = {
    ChallengeReason.ANOTHER_PROVIDER: "The school has already confirmed an agreement with another provider.",
    ChallengeReason.NOT_CONFIRMED: "The school has not confirmed an agreement with you.",
    ChallengeReason.DO_NOT_RECOGNISE: "The school does not recognise you as its training provider.",
    ChallengeReason.NO_ECTS: "The school does not have any early career teachers this year.",
    ChallengeReason.MISTAKE: "The school says the partnership was reported by mistake.",
}


def notify_partnership_challenged(partnership: Partnership) -> None:
    """Emails the provider's contact address after the challenge commits (nothing when it has none)."""
    send_on_commit(
        "partnership_challenged",
        {
            "lead_provider": partnership.lead_provider.name,
            "school": partnership.school.name,
            "urn": partnership.school.urn,
            "cohort": partnership.cohort.start_year,
            "delivery_partner": partnership.delivery_partner.name,
            "reason": CHALLENGE_REASON_TEXT.get(partnership.challenge_reason, partnership.challenge_reason),
            "challenged_at": partnership.challenged_at,
            "partnership_id": partnership.pk,
        },
        to=[partnership.lead_provider.contact_email],
    )
