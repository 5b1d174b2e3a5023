"""Request-level API behaviour that must run outside DRF views: JSON errors for every /api/ response,
the shared rate limit, sandbox time travel and the audit of API writes."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime

from config import clock
from config.api import ratelimit
from config.api.audit import audit_body, audit_text
from config.api.exceptions import NOT_FOUND_BODY, RATE_LIMITED_BODY, SERVER_ERROR_BODY, UNAVAILABLE_BODY
from config.network import client_address
from partnerships.authentication import raw_token_for_request, token_for_request

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
JSON_API = "application/vnd.api+json"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Documentation is read by people and tools before they hold a token; it is never rate limited.
UNLIMITED_PREFIXES = ("/api/docs", "/api/schema", "/api/redoc", "/api/guidance")


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def json_api_response(body, status: int, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type=JSON_API)
    for name, value in headers.items():
        response[name] = value
    return response


class ApiErrorMiddleware:
    """Unknown API routes are a JSON 404 and unhandled errors a JSON 500, never an HTML page (01 §7)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api_request(request) or response.get("Content-Type", "").startswith(
            ("application/", "text/csv")
        ):
            return response
        if response.status_code == 404:
            return json_api_response(NOT_FOUND_BODY, 404)
        if response.status_code >= 500:
            return json_api_response(SERVER_ERROR_BODY, 500)
        return response

    def process_exception(self, request, exception):
        if not is_api_request(request):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
        return json_api_response(SERVER_ERROR_BODY, 500)


class ApiRateLimitMiddleware:
    """N requests per window per token, else per client address, counted where every worker counts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request) and not request.path.startswith(UNLIMITED_PREFIXES):
            token = token_for_request(request)
            key = f"token:{token.pk}" if token else f"address:{client_address(request)}"
            try:
                decision = ratelimit.hit(key)
            except ratelimit.CounterUnavailableError as error:
                # Without the shared counters the limit cannot hold, so the API does not answer.
                logger.error("Rate limit counters unavailable: %s", error)
                return json_api_response(UNAVAILABLE_BODY, 503, **{"Retry-After": "30"})
            if not decision.allowed:
                return json_api_response(RATE_LIMITED_BODY, 429, **{"Retry-After": str(decision.retry_after)})
        return self.get_response(request)


class ServerDateMiddleware:
    """D12: in the sandbox only, `X-With-Server-Date` makes the request run as if at that instant."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("X-With-Server-Date")
        if not (settings.SANDBOX and header and is_api_request(request)):
            return self.get_response(request)
        instant = _parse_instant(header)
        if instant is None:
            return json_api_response(
                {
                    "errors": [
                        {
                            "title": "Bad request",
                            "detail": "The header 'X-With-Server-Date' must be a valid RFC 3339 date",
                        }
                    ]
                },
                400,
            )
        with clock.travel_to(instant):
            return self.get_response(request)


def _parse_instant(value: str):
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    from datetime import UTC

    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the first representable instant
        return None


class ApiRequestAuditMiddleware:
    """Records API writes and error responses of identified providers. Never headers, never tokens: a token
    that reaches the path, the query string or a body is replaced by a marker."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            body = request.body if is_api_request(request) and request.method in WRITE_METHODS else b""
        except RequestDataTooBig as error:
            return json_api_response({"errors": [{"title": "Bad request", "detail": str(error)}]}, 400)
        response = self.get_response(request)
        if is_api_request(request) and (request.method in WRITE_METHODS or response.status_code >= 400):
            self._record(request, body, response)
        return response

    def _record(self, request, body: bytes, response) -> None:
        token = getattr(request, "_api_token", None)
        if token is None or response.status_code == 429:
            return
        from partnerships.models import ApiRequest

        secrets = [raw_token_for_request(request)]
        try:
            # A savepoint: a failed insert must not poison the request's transaction.
            with transaction.atomic():
                ApiRequest.objects.create(
                    lead_provider_id=token.lead_provider_id,
                    token=token,
                    method=request.method,
                    path=audit_text(request.path, secrets)[:500],
                    query_string=audit_text(request.META.get("QUERY_STRING", ""), secrets),
                    status_code=response.status_code,
                    request_body=audit_body(body, secrets) if body else None,
                    response_body=(
                        audit_body(response.content, secrets) if response.status_code >= 400 else None
                    ),
                )
        except Exception:  # the audit must never turn a served answer into an error
            logger.exception("Could not record API request")
