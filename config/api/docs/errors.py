"""The error responses of each operation, with the bodies the service really sends and an example each.

Two shapes, as the service answers them: `{"errors": [{"title", "detail"}]}` for a request it could read but
refuses (400, 422), and `{"error": "..."}` for an unknown token, an unknown resource or too many requests.
"""

from config.api.docs.operations import ERROR_EXAMPLES

MEDIA_TYPE = "application/vnd.api+json"

SCHEMAS = {
    "ErrorList": {
        "type": "object",
        "description": "What was wrong with the request: one entry per problem.",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["title", "detail"],
                    "properties": {
                        "title": {
                            "type": "string",
                            "description": "The attribute or parameter at fault, or a short name of the problem.",
                        },
                        "detail": {
                            "type": "string",
                            "description": "What to change for the request to succeed.",
                        },
                    },
                },
            }
        },
    },
    "ErrorMessage": {
        "type": "object",
        "description": "A single message.",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
}

BAD_STRUCTURE = {
    "title": "Bad request",
    "detail": "correct json data structure required. See API docs for reference",
}
BAD_PAGE = {
    "title": "Bad request",
    "detail": "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid number "
    "(equal and more than 1)",
}
BAD_UPDATED_SINCE = {
    "title": "Bad request",
    "detail": "The filter '#/updated_since' must be a valid RCF3339 date",
}

DESCRIPTIONS = {
    "400": "The request could not be read: a body that is not the `data`/`attributes` structure, or a filter, "
    "page or sort value of the wrong form. Nothing was changed.",
    "401": "The `Authorization: Bearer <token>` header is missing, or the token is unknown or revoked.",
    "404": "No such resource for your token: the id is unknown or belongs to another lead provider.",
    "422": "The request was understood but refused by a rule; each entry names the attribute and what to fix. "
    "Nothing was changed.",
    "503": "The service cannot count requests against the rate limit just now; try again shortly.",
    "429": "Too many requests for this token in the current five-minute window. Wait the number of seconds in the "
    "`Retry-After` header.",
}

MESSAGE_EXAMPLES = {
    "401": {"error": "HTTP Token: Access denied"},
    "404": {"error": "Resource not Found"},
    "429": {"error": "Retry later"},
    "503": {"error": "Service unavailable"},
}


def statuses_for(method: str, path: str, official: set[str], has_query: bool) -> set[str]:
    """Every error status the operation may answer: the official file's and the service's own."""
    statuses = {"401", "429", "503"} | {status for status in official if not status.startswith("2")}
    if "{" in path:
        statuses.add("404")
    if method in ("post", "put", "patch"):
        statuses |= {"400", "422"}
    if has_query:  # a filter, page or sort value of the wrong form
        statuses.add("400")
    return statuses


def _example_400(method: str, path: str) -> dict:
    if method in ("post", "put", "patch"):
        return {"errors": [BAD_STRUCTURE]}
    return {"errors": [BAD_PAGE]}


GENERIC_422 = {
    "errors": [{"title": "Invalid action", "detail": "The request breaks a rule of this operation"}]
}


def response(status: str, method: str, path: str) -> dict:
    headers = {}
    if status in MESSAGE_EXAMPLES:
        schema, example = "ErrorMessage", MESSAGE_EXAMPLES[status]
        if status == "401":
            headers = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "example": 'Token realm="Application"'}
            }
        if status == "429":
            headers = {"Retry-After": {"schema": {"type": "integer"}, "example": 120}}
    else:
        schema = "ErrorList"
        example = ERROR_EXAMPLES.get((method, path, status))
        if example is None:
            example = _example_400(method, path) if status == "400" else GENERIC_422
    documented = {
        "description": DESCRIPTIONS.get(status, "Error"),
        "content": {
            MEDIA_TYPE: {
                "schema": {"$ref": f"#/components/schemas/{schema}"},
                "examples": {f"error_{status}": {"value": example}},
            }
        },
    }
    if headers:
        documented["headers"] = headers
    return documented
