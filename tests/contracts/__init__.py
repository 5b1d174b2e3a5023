"""The official OpenAPI contracts of API v1, v2 and v3 (the verbatim copies the served reference is built from,
in `config/api/docs/contracts/`), as validators.

`assert_matches_contract(response)` checks a test client response against the official schema of the operation
it answered (found from the request's method and path), so every test that calls it proves wire
compatibility, not just the fields it happens to assert.
"""

import functools
import json
import re
from pathlib import Path

import jsonschema

CONTRACTS = Path(__file__).resolve().parents[2] / "config" / "api" / "docs" / "contracts"


@functools.cache
def contract(version: str) -> dict:
    return json.loads((CONTRACTS / f"{version}.json").read_text())


def _json_schema(node):
    """OpenAPI 3.0 schema → JSON Schema: `nullable: true` widens the type (and enum) to allow null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: _json_schema(value) for key, value in node.items() if key not in ("nullable", "example")
    }
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
        if "$ref" in converted or "allOf" in converted or "oneOf" in converted or "anyOf" in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _path_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def operation(version: str, method: str, path: str) -> tuple[str, dict]:
    """(path template, operation) of the contract that serves `method path`; AssertionError when none does."""
    paths = contract(version)["paths"]
    candidates = [template for template in paths if _path_pattern(template).match(path)]
    # A literal path beats a template (`participants/ecf/transfers` is not `participants/ecf/{id}`).
    candidates.sort(key=lambda template: template.count("{"))
    for template in candidates:
        found = paths[template].get(method.lower())
        if found is not None:
            return template, found
    raise AssertionError(f"the {version} contract has no operation {method.upper()} {path}")


def response_schema(version: str, method: str, path: str, status: int, media_type: str = "application/json"):
    template, found = operation(version, method, path)
    responses = found["responses"]
    assert str(status) in responses, (
        f"the {version} contract lists no {status} for {method.upper()} {template} (it lists {sorted(responses)})"
    )
    content = responses[str(status)].get("content", {})
    return content.get(media_type, {}).get("schema")


def validate(version: str, method: str, path: str, status: int, body) -> None:
    schema = response_schema(version, method, path, status)
    if schema is None:
        return
    document = _json_schema(contract(version))
    validator_schema = {**_json_schema(schema), "components": document["components"]}
    jsonschema.validate(body, validator_schema, cls=jsonschema.Draft7Validator)


def assert_matches_contract(response) -> None:
    """The response's JSON body is what the official contract of its version says for its status."""
    request = response.wsgi_request
    match = re.match(r"^/api/(v\d)/", request.path)
    assert match, f"not an API path: {request.path}"
    validate(match.group(1), request.method, request.path, response.status_code, response.json())
