"""The SERVED OpenAPI documents (what `/api/schema/vN` answers) as validators of the suite's responses.

`validate_response(response)` checks a test-client response against the served schema of the operation that
answered it, so every API test also proves that the reference providers read describes what the service does.
Operations the served document does not list (not routed yet in a version) are skipped. Each version's document
is generated once per test process and each validator built once.
"""

import functools
import re

import jsonschema

from config.routes import generate_schema
from tests.contracts import _json_schema

JSON_MEDIA_TYPE = "application/vnd.api+json"
_VERSION = re.compile(r"^/api/(v\d+)/")


@functools.cache
def served(version: str) -> dict:
    return generate_schema(version)


@functools.cache
def _components(version: str) -> dict:
    return _json_schema(served(version).get("components", {}))


@functools.cache
def _templates(version: str) -> list[tuple[re.Pattern, str]]:
    patterns = []
    for template in served(version)["paths"]:
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + r"(\.json)?$")
        patterns.append((pattern, template))
    # A literal segment beats a parameter (`participants/ecf/transfers` is not `participants/ecf/{id}`).
    patterns.sort(key=lambda item: item[1].count("{"))
    return patterns


def served_operation(version: str, method: str, path: str) -> tuple[str, dict] | None:
    for pattern, template in _templates(version):
        if pattern.match(path):
            found = served(version)["paths"][template].get(method.lower())
            if found is not None:
                return template, found
    return None


@functools.cache
def _validator(version: str, method: str, template: str, status: str, part: str):
    operation = served(version)["paths"][template][method]
    if part == "request":
        content = operation.get("requestBody", {}).get("content", {})
    else:
        content = operation["responses"][status].get("content", {})
    schema = content.get(JSON_MEDIA_TYPE, {}).get("schema")
    if schema is None:
        return None
    return jsonschema.Draft7Validator({**_json_schema(schema), "components": _components(version)})


def request_validator(version: str, method: str, template: str):
    return _validator(version, method, template, "", "request")


SAMPLE = 20  # records of a list checked at each end: records share one schema, and pages can hold 3000


def _sample(body):
    if isinstance(body, dict) and isinstance(body.get("data"), list) and len(body["data"]) > 2 * SAMPLE:
        return {**body, "data": body["data"][:SAMPLE] + body["data"][-SAMPLE:]}
    return body


def validate_response(response) -> None:
    request = response.wsgi_request
    match = _VERSION.match(request.path)
    if not match:
        return
    version, method = match.group(1), request.method.lower()
    found = served_operation(version, method, request.path)
    if found is None:
        return  # not documented in this version (yet): nothing to hold it to
    template, operation = found
    status = str(response.status_code)
    if status == "500":
        return  # a fault, never documented behaviour (the suite provokes one on purpose)
    assert status in operation["responses"], (
        f"{method.upper()} {request.path} answered {status}, which the served {version} reference of "
        f"{template} does not list (it lists {sorted(operation['responses'])})"
    )
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(JSON_MEDIA_TYPE) or not response.content:
        return
    validator = _validator(version, method, template, status, "response")
    if validator is None:
        return
    body = _sample(response.json())
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    assert error is None, (
        f"{method.upper()} {request.path} answered {status} with a body the served {version} reference of "
        f"{template} does not describe: {error.message} at {list(error.absolute_path)}"
    )
