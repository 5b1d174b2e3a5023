"""The served reference (/api/schema/vN) describes the API that runs, operation by operation, against the official
contract of each version.

Every API test also checks its responses against the served reference (`tests.served_schema`, hooked into the
provider client), so what these tests prove about the document holds for what the service answers.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

from config.api.docs import alias_of
from declarations.models import EvidenceHeld
from participants.models import (
    CourseIdentifier,
    DeclarationType,
    DeferReason,
    ScheduleIdentifier,
    WithdrawReason,
)
from tests.contracts import contract
from tests.served_schema import request_validator, served

pytestmark = pytest.mark.django_db

VERSIONS = ("v1", "v2", "v3")
METHODS = ("get", "post", "put", "patch", "delete")
JSON = "application/vnd.api+json"

# Words of the implementation that must never reach a provider-facing description.
IMPLEMENTATION_VOCABULARY = re.compile(
    r"get_queryset|get_object|queryset|selector|serializer|viewset|django|drf|spectacular|§|\bD\d{1,2}\b|"
    r"\bspec\b|\(0\d [^)]*\)|TODO|FIXME|\bORM\b|prefetch|select_related",
    re.IGNORECASE,
)


def official_operations(version):
    for path, item in contract(version)["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield pytest.param(version, method, path, operation, id=f"{version} {method.upper()} {path}")


OFFICIAL = [param for version in VERSIONS for param in official_operations(version)]


def served_or_skip(version, method, path):
    operation = served(version)["paths"].get(path, {}).get(method)
    if operation is None:
        routed = {template for template, item in served(version)["paths"].items() if method in item}
        assert not any(re.sub(r"\{[^}]+\}", "{}", t) == re.sub(r"\{[^}]+\}", "{}", path) for t in routed), (
            f"{method.upper()} {path} is served under another name"
        )
        pytest.skip(
            f"{method.upper()} {path} is not routed in {version} yet; its documentation applies once it is"
        )
    return operation


def resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_of(schema, components):
    """A body built from the official schema's own examples (the whole-object example where it gives one)."""
    schema = resolve(schema, components)
    if "example" in schema and isinstance(schema["example"], dict | list):
        return schema["example"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return example_of(schema[key][0], components)
    if "allOf" in schema:
        merged = {}
        for part in schema["allOf"]:
            merged.update(example_of(part, components))
        return merged
    if schema.get("type") == "object" or "properties" in schema:
        return {name: example_of(prop, components) for name, prop in schema.get("properties", {}).items()}
    if schema.get("type") == "array":
        return [example_of(schema.get("items", {}), components)]
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 1, "number": 1, "boolean": True}.get(schema.get("type"), "text")


@pytest.mark.parametrize(("version", "method", "path", "official"), OFFICIAL)
def test_official_operation_is_served_as_documented(version, method, path, official):
    operation = served_or_skip(version, method, path)

    # Path parameters under their official names.
    official_names = {p["name"] for p in official.get("parameters", []) if p["in"] == "path"}
    served_names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert served_names == official_names

    # The success statuses the official file gives (200 for writes too, never 201).
    official_success = {status for status in official["responses"] if status.startswith("2")}
    served_success = {status for status in operation["responses"] if status.startswith("2")}
    assert served_success == official_success

    # Every status the official file lists, plus those the service answers, each with a body and an example.
    expected = set(official["responses"]) | {"401", "429"}
    if "{" in path:
        expected.add("404")
    if method in ("post", "put"):
        expected |= {"400", "422"}
    assert expected <= set(operation["responses"])
    for status, response in operation["responses"].items():
        assert response.get("description"), f"{status} has no description"
        if status.startswith("2") and path.endswith(".csv"):
            assert "text/csv" in response["content"]
            continue
        assert list(response.get("content", {})) == [JSON], f"{status} is not {JSON}"
        media = response["content"][JSON]
        assert "schema" in media
        if not status.startswith("2"):
            assert media.get("examples"), f"{status} has no example"

    # A summary and a description written for providers.
    assert operation.get("summary")
    assert operation.get("description")


@pytest.mark.parametrize(
    ("version", "method", "path", "official"),
    [param for param in OFFICIAL if "requestBody" in param.values[3]],
)
def test_official_request_example_is_valid_against_the_served_request_schema(version, method, path, official):
    operation = served_or_skip(version, method, path)
    assert list(operation["requestBody"]["content"]) == [JSON]
    components = contract(version)["components"]["schemas"]
    official_schema = official["requestBody"]["content"]["application/json"]["schema"]
    body = example_of(official_schema, components)
    assert "data" in body and "attributes" in body["data"], body
    errors = list(request_validator(version, method, path).iter_errors(body))
    assert errors == [], [error.message for error in errors]

    # And the served schema refuses the flat body that is not this API's structure.
    flat = body["data"]["attributes"]
    assert not request_validator(version, method, path).is_valid(flat)


def served_enum(version, component, field):
    schemas = served(version)["components"]["schemas"]
    return set(schemas[component]["properties"][field]["enum"])


@pytest.mark.parametrize("version", ["v3"])
def test_served_request_enums_are_the_values_the_service_accepts(version):
    assert served_enum(version, "ECFParticipantDeferAttributes", "reason") == set(DeferReason.values)
    assert served_enum(version, "ECFParticipantWithdrawAttributes", "reason") == set(WithdrawReason.values)
    assert served_enum(version, "ECFParticipantChangeScheduleAttributes", "schedule_identifier") == set(
        ScheduleIdentifier.values
    )
    for component in ("ECFParticipantDeferAttributes", "ECFParticipantResumeAttributes"):
        assert served_enum(version, component, "course_identifier") == set(CourseIdentifier.values)
    schemas = served(version)["components"]["schemas"]
    declaration_types, evidence = set(), set()
    for name, schema in schemas.items():
        if name.startswith("ECFParticipantDeclaration") and name.endswith("AttributesRequest"):
            declaration_types |= set(schema["properties"]["declaration_type"]["enum"])
            evidence |= set(schema["properties"].get("evidence_held", {}).get("enum", []))
    assert declaration_types == set(DeclarationType.values)
    assert evidence <= set(EvidenceHeld.values)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_served_operation_is_an_official_one_with_its_official_path(version):
    document = served(version)
    official_paths = contract(version)["paths"]
    for path, item in document["paths"].items():
        for method in item:
            if method in METHODS:
                if item[method].get("deprecated"):
                    # An older path kept for old clients: it must be an alias of an official operation.
                    path = alias_of(path)
                assert method in official_paths.get(path, {}), (
                    f"{method.upper()} {path} is not in the contract"
                )


@pytest.mark.parametrize("version", VERSIONS)
def test_descriptions_speak_to_providers(version):
    document = served(version)
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary", "title") and isinstance(value, str):
                    if IMPLEMENTATION_VOCABULARY.search(value):
                        found.append((where, value))
                else:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(document, "")
    assert found == []
    assert document["info"]["title"] == "Lead provider API"
    assert document["info"]["version"] == {"v1": "1.0.0", "v2": "2.0.0", "v3": "3.0.0"}[version]


def test_the_vocabulary_check_catches_implementation_notes():
    for note in (
        "Scoping by the caller's provider in `get_queryset` makes another provider's id a 404.",
        "Rules from the spec (03 §2).",
        "As decided in D12.",
        "Reads come from the selector.",
    ):
        assert IMPLEMENTATION_VOCABULARY.search(note), note
    assert not IMPLEMENTATION_VOCABULARY.search("Tell us that a participant is pausing their training.")


def test_v3_documents_the_participant_transfers_path_under_its_official_name():
    paths = served("v3")["paths"]
    assert "/api/v3/participants/ecf/{id}/transfers" in paths
    assert not any("participant_id}" in path for path in paths)


def test_list_parameters_carry_their_formats():
    parameters = {
        p["name"]: p for p in served("v3")["paths"]["/api/v3/participants/ecf"]["get"]["parameters"]
    }
    assert parameters["filter[updated_since]"]["schema"]["format"] == "date-time"
    assert parameters["filter[from_participant_id]"]["schema"]["format"] == "uuid"
    assert parameters["filter[training_status]"]["schema"]["enum"] == ["active", "deferred", "withdrawn"]
    assert parameters["page[per_page]"]["schema"]["maximum"] == 3000
    for parameter in parameters.values():
        assert parameter["description"]
    school = {p["name"]: p for p in served("v3")["paths"]["/api/v3/schools/ecf/{id}"]["get"]["parameters"]}
    assert school["filter[cohort]"]["required"] is True


def test_served_document_is_served_as_json_and_yaml_alike(client):
    for version in VERSIONS:
        as_json = client.get(f"/api/schema/{version}", HTTP_ACCEPT="application/json")
        assert as_json.status_code == 200
        assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json") or as_json[
            "Content-Type"
        ].startswith("application/json")
        as_yaml = client.get(f"/api/docs/{version}/api_spec.yml")
        assert as_yaml.status_code == 200
        assert as_yaml["Content-Type"].startswith("application/yaml")
        document = yaml.safe_load(as_yaml.content)
        assert document["openapi"].startswith("3.")
        assert document == as_json.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/participants/ecf",
        "/api/v3/partnerships/ecf",
        "/api/v3/delivery-partners",
        "/api/v3/schools/ecf",
        "/api/v3/unfunded-mentors/ecf",
    ],
)
def test_sort_parameter_lists_the_official_sort_fields(path):
    official = {p["name"]: p for p in contract("v3")["paths"][path]["get"]["parameters"]}["sort"]
    official_schema = contract("v3")["components"]["schemas"][official["schema"]["$ref"].rsplit("/", 1)[1]]
    served_sort = {p["name"]: p for p in served("v3")["paths"][path]["get"]["parameters"]}["sort"]
    assert served_sort["schema"]["items"]["enum"] == official_schema["items"]["enum"]
    assert (served_sort["style"], served_sort["explode"]) == ("form", False)


def test_postman_collection_has_every_served_operation_with_its_example_body(client):
    response = client.get("/api/docs/v3/postman.json")
    assert response.status_code == 200
    collection = response.json()
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert collection["auth"]["type"] == "bearer"
    requests = [entry["request"] for folder in collection["item"] for entry in folder["item"]]
    document = served("v3")
    expected = {(m.upper(), p) for p, item in document["paths"].items() for m in item if m in METHODS}
    found = {
        (r["method"], r["url"]["raw"].replace("{{baseUrl}}", "").replace(":id", "{id}")) for r in requests
    }
    assert found == expected
    defer = next(r for r in requests if r["url"]["raw"].endswith("/defer"))
    assert json.loads(defer["body"]["raw"])["data"]["attributes"]["reason"] == "career-break"


def test_documented_error_examples_are_messages_the_service_sends():
    from config.api.docs.errors import BAD_PAGE, BAD_STRUCTURE, BAD_UPDATED_SINCE
    from config.api.docs.operations import ERROR_EXAMPLES

    root = Path(__file__).resolve().parents[2]
    sources = "".join(
        path.read_text()
        for package in ("config", "participants", "declarations", "partnerships", "statements")
        for path in (root / package).rglob("*.py")
        if "docs" not in path.relative_to(root).parts
    )
    details = [entry["detail"] for body in ERROR_EXAMPLES.values() for entry in body["errors"]]
    details += [BAD_PAGE["detail"], BAD_STRUCTURE["detail"], BAD_UPDATED_SINCE["detail"]]
    for detail in details:
        # Long messages are written over several source lines: compare their opening words.
        # (The required-filter message is a template: `'#/{name}'`.)
        assert detail[:40] in sources or detail.replace("#/cohort", "#/{name}")[:40] in sources, detail
