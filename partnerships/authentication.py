"""Bearer-token authentication of the API: a keyed digest of the presented token finds the provider.

Referenced from settings (`DEFAULT_AUTHENTICATION_CLASSES`); the rate limiter shares `token_for_request`.
One indexed query per request and no cache, so that a revoked token is refused on its next request.
"""

import datetime as dt
import re

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions

from config.api.clients import ACCESS_DENIED, ApiClient
from partnerships.models import LeadProviderToken

# Rails accepts `Bearer <t>`, `Token <t>` and `Token token="<t>"`; scheme names are case-sensitive.
_HEADER = re.compile(r'^(?:Bearer|Token)\s+(?:token="(?P<quoted>[^"]+)"|(?P<bare>\S+))\s*$')

# `last_used_at` is kept to the minute, so that most requests write nothing.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_from_header(header: str | None) -> str | None:
    match = _HEADER.match(header or "")
    if not match:
        return None
    return match.group("quoted") or match.group("bare")


def find_live_token(raw_token: str | None) -> LeadProviderToken | None:
    if not raw_token:
        return None
    return (
        LeadProviderToken.objects.select_related("lead_provider")
        .filter(digest=LeadProviderToken.digest_of(raw_token), revoked_at__isnull=True)
        .first()
    )


def raw_token_for_request(request) -> str | None:
    django_request = getattr(request, "_request", request)
    return token_from_header(django_request.headers.get("Authorization"))


def token_for_request(request) -> LeadProviderToken | None:
    """Looks the token up once per request; the rate limiter and DRF authentication share the result."""
    django_request = getattr(request, "_request", request)
    if not hasattr(django_request, "_api_token"):
        django_request._api_token = find_live_token(raw_token_for_request(django_request))
    return django_request._api_token


def note_token_use(token: LeadProviderToken) -> None:
    """Moves `last_used_at` on when it is a minute or more old; the condition in the UPDATE keeps
    concurrent requests from writing it more than once. Wall-clock time: an operational stamp, not a
    domain one, so sandbox time travel does not move it."""
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    LeadProviderToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


class LeadProviderTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = token_for_request(request)
        if token is None:
            raise exceptions.AuthenticationFailed(ACCESS_DENIED)
        note_token_use(token)
        return ApiClient(lead_provider=token.lead_provider, token=token), token

    def authenticate_header(self, request):
        return 'Token realm="Application"'
