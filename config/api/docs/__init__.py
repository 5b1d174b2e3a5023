"""The API reference as providers read it: one drf-spectacular postprocessing hook over the generated document.

drf-spectacular finds the routes, their path and query parameters (from the views, so the document lists what
really runs). This package then writes what a provider needs on top, per operation, keyed by
(version, method, path template) so that an operation is documented as soon as its route exists:

- the path under its official name (`/participants/ecf/{id}/transfers`, whatever the route's argument is called);
- a summary and a description in `operations.py`, written for providers;
- the request body and success response schemas of the official contract of that version (`contracts/vN.json`,
  a copy of the published files; their prose is left out), with the few differences this service keeps on
  purpose (`overrides.py`);
- the error responses the official file lists plus the ones the service returns, with their real bodies and an
  example each (`errors.py`);
- `application/vnd.api+json` as the media type of every body.
"""

import copy
import functools
import json
import re
from pathlib import Path

from django.conf import settings

from config.api.docs import errors, operations, overrides, parameters
from config.api.pagination import CURSOR_RESPONSE_PROPERTIES

CONTRACTS = Path(__file__).parent / "contracts"
MEDIA_TYPE = "application/vnd.api+json"
METHODS = ("get", "post", "put", "patch", "delete")
VERSION_NUMBERS = {"v1": "1.0.0", "v2": "2.0.0", "v3": "3.0.0"}
# Prose of the published files is not carried over: this service's reference is written in its own words.
PROSE_KEYS = ("description", "summary", "title")


@functools.cache
def contract(version: str) -> dict:
    """The official contract of `version`, with its prose removed."""
    return _without_prose(json.loads((CONTRACTS / f"{version}.json").read_text()))


def _without_prose(node, parent_key=None):
    if isinstance(node, list):
        return [_without_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    # Inside `properties` the keys are field names (a field may be called "description" or "title").
    keep_all = parent_key in ("properties", "schemas", "examples", "value", "example")
    return {
        key: _without_prose(value, key)
        for key, value in node.items()
        if keep_all or key not in PROSE_KEYS or not isinstance(value, str)
    }


def _template_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"\\{[^}]+\\}", re.escape(template)) + "$")


def official_path(version: str, served_path: str) -> str | None:
    """The official path template that names the same route as `served_path` (parameter names aside)."""
    for template in contract(version)["paths"]:
        if template == served_path or _template_pattern(template).match(served_path):
            return template
    return None


def official_operation(version: str, method: str, template: str) -> dict | None:
    return contract(version)["paths"].get(template, {}).get(method)


# Older paths the service still answers on, for clients built against them: the participants list and actions
# without `/ecf`. Each is documented as the operation it is an alias of, and marked deprecated.
ALIASES = (
    (re.compile(r"^/api/(v\d)/participants$"), r"/api/\1/participants/ecf"),
    (re.compile(r"^/api/(v\d)/participants/\{[^}]+\}/([a-z-]+)$"), r"/api/\1/participants/ecf/{id}/\2"),
)


def alias_of(served_path: str) -> str | None:
    """The path whose operation `served_path` answers as an older alias, or None."""
    for pattern, replacement in ALIASES:
        if pattern.match(served_path):
            return pattern.sub(replacement, served_path)
    return None


def _path_parameter_names(template: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", template)


def _refs(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _with_media_type(content: dict) -> dict:
    """The official `application/json` entry as this service's `application/vnd.api+json` (CSV stays CSV)."""
    converted = {}
    for media_type, entry in content.items():
        converted[MEDIA_TYPE if media_type == "application/json" else media_type] = copy.deepcopy(entry)
    return converted


def _with_cursor_fields(response: dict | None) -> None:
    """A list that takes `page[cursor]` answers `links` and `meta` beside `data` on a cursor walk."""
    entry = (response or {}).get("content", {}).get(MEDIA_TYPE)
    if entry and "schema" in entry:
        cursor_fields = {"type": "object", "properties": copy.deepcopy(CURSOR_RESPONSE_PROPERTIES)}
        entry["schema"] = {"allOf": [entry["schema"], cursor_fields]}


def _document_operation(version: str, method: str, template: str, operation: dict, official: dict | None):
    short = template.removeprefix(f"/api/{version}")
    doc = operations.lookup(version, method, short)
    if doc is not None:
        operation["summary"] = doc.summary
        operation["description"] = doc.description
        operation["tags"] = [doc.tag]
    else:
        operation.pop("description", None)
    operation["operationId"] = operations.operation_id(version, method, short)

    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            parameter.update(parameters.path_parameter(parameter["name"], short))
        elif parameter["in"] == "query":
            parameter.update(
                parameters.query_parameter(parameter["name"], short, parameter.get("schema", {}))
            )

    if official is not None:
        if "requestBody" in official:
            operation["requestBody"] = {
                "required": official["requestBody"].get("required", True),
                "content": _with_media_type(official["requestBody"]["content"]),
            }
        elif "requestBody" in operation:
            del operation["requestBody"]
        responses = {
            status: {
                "description": response.get("description") or "Success",
                **({"content": _with_media_type(response["content"])} if "content" in response else {}),
            }
            for status, response in official["responses"].items()
            if status.startswith("2")
        }
        for status in responses:
            responses[status]["description"] = operations.success_description(method, short)
    else:
        responses = {
            status: response
            for status, response in operation.get("responses", {}).items()
            if status.startswith("2")
        }
        for response in responses.values():
            if "content" in response:
                response["content"] = {MEDIA_TYPE: next(iter(response["content"].values()))}
        if "requestBody" in operation:
            operation["requestBody"]["content"] = {
                MEDIA_TYPE: next(iter(operation["requestBody"]["content"].values()))
            }

    operation["responses"] = responses
    if any(parameter["name"] == "page[cursor]" for parameter in operation.get("parameters", [])):
        _with_cursor_fields(responses.get("200"))
    overrides.apply(version, method, short, operation)
    official_statuses = set((official or {}).get("responses", {}))
    has_query = any(parameter["in"] == "query" for parameter in operation.get("parameters", []))
    for status in errors.statuses_for(method, short, official_statuses, has_query):
        responses[status] = errors.response(status, method, short)
    operation["responses"] = dict(sorted(responses.items()))


def postprocess(result, generator, request, public):
    """drf-spectacular postprocessing hook: the generated document becomes the reference providers read."""
    version = getattr(generator, "api_version", None) or "v3"
    official = contract(version) if version in VERSION_NUMBERS else None

    result["info"] = {
        "title": settings.SPECTACULAR_SETTINGS["TITLE"],
        "version": VERSION_NUMBERS.get(version, version),
        "description": operations.api_description(version),
    }
    result["servers"] = [{"url": "/", "description": "This service"}]

    paths = {}
    for served_path, item in result.get("paths", {}).items():
        template = official_path(version, served_path) if official else None
        aliased = alias_of(served_path) if official and template is None else None
        if template is None:
            template = served_path
        renames = dict(zip(_path_parameter_names(served_path), _path_parameter_names(template), strict=True))
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["name"] = renames.get(parameter["name"], parameter["name"])
            if aliased:
                _document_operation(
                    version, method, aliased, operation, official_operation(version, method, aliased)
                )
                operation["deprecated"] = True
                operation["operationId"] = operations.operation_id(
                    version, method, template.removeprefix(f"/api/{version}")
                )
                operation["summary"] = f"{operation.get('summary', '')} (older path)".strip()
                operation["description"] = (
                    f"An older path of `{method.upper()} {aliased}`, answered the same way for clients "
                    f"built against it. New integrations should use that path.\n\n{operation.get('description', '')}"
                ).strip()
                continue
            _document_operation(
                version,
                method,
                template,
                operation,
                official_operation(version, method, template) if official else None,
            )
        paths[template] = item
    result["paths"] = paths

    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(errors.SCHEMAS)
    if official:
        # Official schemas the operations now reference (and theirs, transitively) join the document; a generated
        # schema that nothing references any more is dropped.
        official_schemas = official["components"]["schemas"]
        wanted = _refs(result["paths"], set())
        pending = list(wanted)
        while pending:
            name = pending.pop()
            source = schemas.get(name) if name not in official_schemas else official_schemas[name]
            for ref in _refs(source or {}, set()) - wanted:
                wanted.add(ref)
                pending.append(ref)
        merged = {}
        for name in sorted(wanted):
            if name in errors.SCHEMAS:
                merged[name] = errors.SCHEMAS[name]
            elif name in official_schemas:
                merged[name] = copy.deepcopy(official_schemas[name])
            elif name in schemas:
                merged[name] = schemas[name]
        overrides.apply_components(version, merged)
        components["schemas"] = merged
    return result
