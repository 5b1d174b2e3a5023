"""The one place that turns errors into the spec's envelopes."""

import json
import logging

from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response

from config.api.clients import ACCESS_DENIED
from config.errors import DomainError, InvalidDataStructureError

logger = logging.getLogger(__name__)

NOT_FOUND_BODY = {"error": "Resource not Found"}
SERVER_ERROR_BODY = {"error": "Internal server error"}
RATE_LIMITED_BODY = {"error": "Retry later"}
UNAVAILABLE_BODY = {"error": "Service unavailable"}
BAD_HOST_DETAIL = "The Host header names a host this service does not answer for"


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"errors": exc.as_errors()}, status=exc.status_code)
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        return Response(
            {"error": ACCESS_DENIED}, status=401, headers={"WWW-Authenticate": 'Token realm="Application"'}
        )
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        return Response(None, status=403)
    if isinstance(exc, Http404 | exceptions.NotFound | exceptions.MethodNotAllowed):
        # An unsupported method on a known path is an unknown route in the original service.
        return Response(NOT_FOUND_BODY, status=404)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        return Response({"errors": InvalidDataStructureError().as_errors()}, status=400)
    if isinstance(exc, exceptions.Throttled):
        return Response(RATE_LIMITED_BODY, status=429, headers={"Retry-After": str(int(exc.wait or 1))})
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": _validation_errors(exc.detail)}, status=422)
    if isinstance(exc, SuspiciousOperation):  # Django's request limits (too many parameters, body too big)
        return Response({"errors": [{"title": "Bad request", "detail": str(exc)}]}, status=400)
    if isinstance(exc, exceptions.APIException):
        return Response({"errors": [{"title": "Bad request", "detail": str(exc.detail)}]}, status=400)
    logger.exception("Unhandled API error", exc_info=exc)
    return Response(SERVER_ERROR_BODY, status=500)


def _validation_errors(detail) -> list[dict[str, str]]:
    if isinstance(detail, dict):
        return [
            {
                "title": str(key),
                "detail": ", ".join(str(m) for m in (value if isinstance(value, list) else [value])),
            }
            for key, value in detail.items()
        ]
    messages = detail if isinstance(detail, list) else [detail]
    return [{"title": "Bad request", "detail": ", ".join(str(m) for m in messages)}]


def bad_request(request, exception):
    """Django's 400 (a bad Host header, a suspicious request) in the API's envelope on /api/ paths."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    detail = BAD_HOST_DETAIL if isinstance(exception, DisallowedHost) else "The request could not be read"
    body = {"errors": [{"title": "Bad request", "detail": detail}]}
    return HttpResponse(
        json.dumps(body, separators=(",", ":")), status=400, content_type="application/vnd.api+json"
    )
