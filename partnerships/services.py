"""Use cases that write partnerships-app data. Each is atomic and records who acted."""

import secrets

from django.db import transaction
from django.utils import timezone

from config.actors import Actor, acting_as
from partnerships.models import LeadProvider, LeadProviderToken

TOKEN_BYTES = 32  # 256 bits of randomness (D10)


@transaction.atomic
def token_issue(*, lead_provider: LeadProvider, label: str, actor: Actor) -> tuple[LeadProviderToken, str]:
    """Creates a token and returns it with its value, which is never stored and cannot be shown again."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with acting_as(actor):
        token = LeadProviderToken.objects.create(
            lead_provider=lead_provider, label=label, digest=LeadProviderToken.digest_of(raw)
        )
    return token, raw


@transaction.atomic
def token_revoke(*, token: LeadProviderToken, actor: Actor) -> LeadProviderToken:
    token = LeadProviderToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with acting_as(actor):
            token.save(update_fields=["revoked_at"])
    return token
