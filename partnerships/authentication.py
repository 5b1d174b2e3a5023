"""Bearer-token authentication of the API: a keyed digest of the presented token finds the provider.

Referenced from settings (`DEFAULT_AUTHENTICATION_CLASSES`); the rate limiter shares `token_for_request`.
"""

import re

from django.utils import timezone
from rest_framework import authentication, exceptions

from config.api.clients import ACCESS_DENIED, ApiClient
from partnerships.models import LeadProviderToken

# Rails accepts `Bearer <t>`, `Token <t>` and `Token token="<t>"`; scheme names are case-sensitive.
_HEADER = re.compile(r'^(?:Bearer|Token)\s+(?:token="(?P<quoted>[^"]+)"|(?P<bare>\S+))\s*$')


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


def token_for_request(request) -> LeadProviderToken | None:
    """Looks the token up once per request; the rate limiter and DRF authentication share the result."""
    django_request = getattr(request, "_request", request)
    if not hasattr(django_request, "_api_token"):
        django_request._api_token = find_live_token(
            token_from_header(django_request.headers.get("Authorization"))
        )
    return django_request._api_token


class LeadProviderTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = token_for_request(request)
        if token is None:
            raise exceptions.AuthenticationFailed(ACCESS_DENIED)
        LeadProviderToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return ApiClient(lead_provider=token.lead_provider, token=token), token

    def authenticate_header(self, request):
        return 'Token realm="Application"'
