"""A Postman (v2.1) collection of one version, made from its served OpenAPI document: one request per
operation, grouped by tag, with the bearer token, the path ids and the query parameters (disabled until
you fill them in) as variables, and each write's body from the reference's example."""

import json
import re

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")


def _example_body(document: dict, operation: dict):
    schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/vnd.api+json", {}).get("schema")
    )
    seen = set()
    while schema and "$ref" in schema and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        schema = document["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[1])
    return (schema or {}).get("example")


def _url(path: str, operation: dict) -> dict:
    postman_path = re.sub(r"\{([^}]+)\}", r":\1", path)
    query = [
        {"key": parameter["name"], "value": str(parameter.get("example", "")), "disabled": True}
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    url = {
        "raw": "{{baseUrl}}" + postman_path,
        "host": ["{{baseUrl}}"],
        "path": postman_path.strip("/").split("/"),
        "variable": [{"key": name, "value": ""} for name in re.findall(r"\{([^}]+)\}", path)],
    }
    if query:
        url["query"] = query
    return url


def collection(document: dict, version: str) -> dict:
    folders: dict[str, list] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            request = {
                "method": method.upper(),
                "header": [{"key": "Accept", "value": "application/vnd.api+json"}],
                "url": _url(path, operation),
                "description": operation.get("description", ""),
            }
            body = _example_body(document, operation)
            if "requestBody" in operation:
                request["header"].append({"key": "Content-Type", "value": "application/vnd.api+json"})
                request["body"] = {
                    "mode": "raw",
                    "raw": json.dumps(body, indent=2) if body is not None else "{}",
                    "options": {"raw": {"language": "json"}},
                }
            tag = (operation.get("tags") or ["Other"])[0]
            folders.setdefault(tag, []).append({"name": operation.get("summary", path), "request": request})
    return {
        "info": {
            "name": f"{document['info']['title']} {version}",
            "description": document["info"].get("description", ""),
            "schema": SCHEMA,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8000"},
            {"key": "token", "value": ""},
        ],
        "item": [{"name": tag, "item": items} for tag, items in folders.items()],
    }
