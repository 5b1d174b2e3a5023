"""Descriptions, formats and examples of the path and query parameters, by name."""

QUERY: dict[str, dict] = {
    "filter[cohort]": {
        "description": "Only these cohorts: start years, comma separated (`2023,2024`).",
        "example": "2024",
    },
    "filter[updated_since]": {
        "description": "Only records changed at or after this instant (RFC 3339, e.g. `2025-01-31T09:00:00Z`; "
        "encode `+` as `%2B`).",
        "format": "date-time",
        "example": "2025-01-31T09:00:00Z",
    },
    "filter[training_status]": {
        "description": "Only participants with this training status.",
        "enum": ["active", "deferred", "withdrawn"],
        "example": "active",
    },
    "filter[from_participant_id]": {
        "description": "Only the participant an old id (from `participant_id_changes`) was merged into.",
        "format": "uuid",
    },
    "filter[participant_id]": {
        "description": "Only declarations of these participants (ids, comma separated)."
    },
    "filter[delivery_partner_id]": {
        "description": "Only records of these delivery partners (ids, comma separated)."
    },
    "filter[urn]": {"description": "Only the school with this URN.", "example": "106286"},
    "filter[type]": {"description": "Only statements of this type.", "enum": ["ecf"], "example": "ecf"},
    "page[page]": {"description": "The page to return, from 1.", "example": 1},
    "page[per_page]": {"description": "Records per page: 100 unless you ask; at most 3000.", "example": 100},
    "page[cursor]": {
        "description": "Where the next page starts: the value from the previous page's `links.next`.",
    },
    "sort": {
        "description": "Order of the records: field names, comma separated, `-` for descending "
        "(`-updated_at`). Unknown names are ignored.",
        "example": "-updated_at",
    },
}

SCHEMA_KEYS = ("format", "enum")

BOTH_TIMESTAMPS = ("created_at", "updated_at")
SORT_FIELDS = {
    "/participants/ecf": BOTH_TIMESTAMPS,
    "/partnerships/ecf": BOTH_TIMESTAMPS,
    "/delivery-partners": BOTH_TIMESTAMPS,
    "/schools/ecf": ("updated_at",),
    "/unfunded-mentors/ecf": ("updated_at",),
}


def sort_schema(path: str) -> dict:
    fields = SORT_FIELDS.get(path, BOTH_TIMESTAMPS)
    values = [value for field in fields for value in (field, f"-{field}")]
    return {"type": "array", "items": {"type": "string", "enum": values}}


def query_parameter(name: str, path: str, schema: dict) -> dict:
    documented = QUERY.get(name)
    if documented is None:
        return {}
    schema = dict(schema or {"type": "string"})
    for key in SCHEMA_KEYS:
        if key in documented:
            schema[key] = documented[key]
    result = {"description": documented["description"], "schema": schema}
    if name == "sort":  # a comma-separated list: sort=-updated_at,created_at
        result.update(schema=sort_schema(path), style="form", explode=False)
    if "example" in documented:
        result["example"] = documented["example"]
    if name == "filter[cohort]" and path.startswith("/schools/ecf"):
        result["required"] = True
        result["description"] = "The cohort (start year) to show the schools of. Required."
    return result


def path_parameter(name: str, path: str) -> dict:
    return {
        "description": "The id of the resource (a UUID).",
        "schema": {"type": "string", "format": "uuid"},
        "example": "28c461ee-ffc0-4e56-96bd-788579a0ed75",
    }
