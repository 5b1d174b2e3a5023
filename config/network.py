"""Who is calling: the client's address as the rate limit and the admin login throttle see it."""

from django.conf import settings


def client_address(request) -> str:
    """The address of the client, not of a proxy in front of the service.

    With no trusted proxy the peer address is the client. Behind TRUSTED_PROXIES proxies, each of which
    appends the address it received the request from to X-Forwarded-For, the client is the entry that many
    places from the right; anything further left was written by the client and cannot be trusted.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return peer
    return forwarded[-proxies][:64]
