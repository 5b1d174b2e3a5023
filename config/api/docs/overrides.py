"""Where the served reference is adjusted beyond what drf-spectacular finds, and why."""

from config.api.docs.parameters import query_parameter


def apply(version: str, method: str, path: str, operation: dict) -> None:
    if (method, path) == ("get", "/participants/ecf/{id}/transfers"):
        # One resource, not a page of them: the list view it shares with the transfers list takes no parameters.
        operation["parameters"] = [p for p in operation.get("parameters", []) if p["in"] != "query"]
        operation["responses"].pop("400", None)
    if (method, path) == ("get", "/schools/ecf/{id}"):
        # A school is shown as it stands in one cohort, which the caller must name.
        parameters = operation.setdefault("parameters", [])
        if not any(p["name"] == "filter[cohort]" for p in parameters):
            parameters.append(
                {
                    "name": "filter[cohort]",
                    "in": "query",
                    **query_parameter("filter[cohort]", path, {"type": "string"}),
                }
            )


# Fields the official files type as never null but the service (like the public service it replaces) sends as
# `null` in well-defined cases; the reference says what runs:
NULLABLE: dict[str, dict[str, tuple[str, ...]]] = {
    "v3": {
        # no TRN on the teacher record (participants) or anywhere (unfunded mentors)
        "ECFParticipantAttributes": ("teacher_reference_number",),
        "UnfundedMentorAttributes": ("teacher_reference_number",),
        # a school-reported leaving without an end date; no TRN at all; no schedule or no delivery partner yet
        "ECFEnrolment": (
            "participant_status",
            "teacher_reference_number_validated",
            "schedule_identifier",
            "delivery_partner_id",
        ),
        # a school with no induction tutor and no contact email; a partnership whose delivery partner is gone
        "ECFPartnershipAttributes": ("delivery_partner_name", "induction_tutor_email"),
    },
    # a training record with no schedule yet
    "v1": {"ECFParticipantAttributes": ("schedule_identifier",)},
    "v2": {"ECFParticipantAttributes": ("schedule_identifier",)},
}


# States the official v2 file leaves out of its declaration state enum, although v2 declarations reach them (a
# paid declaration voided is awaiting clawback, then clawed back) and the service renders them as v3 does.
EXTRA_STATES: dict[str, tuple[str, ...]] = {"v2": ("awaiting-clawback", "clawed-back")}


def apply_components(version: str, schemas: dict) -> None:
    """Differences in the official component schemas the document carries."""
    for schema in schemas.values():
        state = schema.get("properties", {}).get("state") if isinstance(schema, dict) else None
        if state and "enum" in state and "submitted" in state["enum"]:
            state["enum"] = [*state["enum"], *(s for s in EXTRA_STATES.get(version, ()) if s not in state["enum"])]
    for component, fields in NULLABLE.get(version, {}).items():
        if component not in schemas:
            continue
        properties = schemas[component].get("properties", {})
        for field in fields:
            if field in properties:
                properties[field] = _nullable(properties[field])


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}
