"""/api/schema/v1 and /v2 document the participants operations with the flat item."""

import pytest

from config.routes import generate_schema

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/participants/ecf"),
    ("get", "/participants/ecf/{id}"),
    ("get", "/participants/ecf.csv"),
    ("get", "/participants"),
    *(
        ("put", f"/participants/ecf/{{id}}/{action}")
        for action in ("defer", "resume", "withdraw", "change-schedule")
    ),
    *(
        ("put", f"/participants/{{id}}/{action}")
        for action in ("defer", "resume", "withdraw", "change-schedule")
    ),
}
ATTRIBUTES = [
    "email",
    "full_name",
    "mentor_id",
    "school_urn",
    "participant_type",
    "cohort",
    "status",
    "teacher_reference_number",
    "teacher_reference_number_validated",
    "eligible_for_funding",
    "pupil_premium_uplift",
    "sparsity_uplift",
    "training_status",
    "training_record_id",
    "schedule_identifier",
    "updated_at",
]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_participant_operations_and_shapes(version):
    schema = generate_schema(version)
    documented = {
        (method, path.removeprefix(f"/api/{version}"))
        for path, operations in schema["paths"].items()
        for method in operations
        if "/participants" in path
    }
    assert documented == OPERATIONS
    components = schema["components"]["schemas"]
    assert list(components["ECFParticipantAttributes"]["properties"]) == ATTRIBUTES
    list_parameters = {
        p["name"] for p in schema["paths"][f"/api/{version}/participants/ecf"]["get"]["parameters"]
    }
    assert list_parameters == {
        "filter[cohort]",
        "filter[updated_since]",
        "page[page]",
        "page[per_page]",
        "page[cursor]",
    }
    defer = schema["paths"][f"/api/{version}/participants/ecf/{{id}}/defer"]["put"]
    [media] = defer["responses"]["200"]["content"].values()
    # The action answers the official body of that version (its data is the flat participant).
    assert media["schema"]["$ref"].rsplit("/", 1)[1] in components
