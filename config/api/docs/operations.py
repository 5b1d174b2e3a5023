"""What each operation is for, in words a provider's developer can act on.

Keyed by (method, path without the `/api/vN` prefix); `VERSION_NOTES` adds what differs in one version. An
operation is documented here before its route exists in a version: the text appears once the route does.
"""

from dataclasses import dataclass

GUIDANCE = "/api/guidance"


@dataclass(frozen=True)
class Doc:
    tag: str
    summary: str
    description: str


PARTICIPANTS = "Participants"
TRANSFERS = "Participant transfers"
UNFUNDED = "Unfunded mentors"
PARTNERSHIPS = "Partnerships"
SCHOOLS = "Schools"
DELIVERY_PARTNERS = "Delivery partners"
DECLARATIONS = "Participant declarations"
STATEMENTS = "Statements"

_ACTION_BODY = (
    'Send the body as `{"data": {"type": ..., "attributes": {...}}}`; `course_identifier` says which of the '
    "participant's training records the change applies to (`ecf-induction` for the ECT record, `ecf-mentor` for the "
    "mentor record). The answer is the participant as it now stands. "
)

DOCS: dict[tuple[str, str], Doc] = {
    ("get", "/participants/ecf"): Doc(
        PARTICIPANTS,
        "List your participants",
        "The early career teachers and mentors training with you, newest changes last when you sort by "
        "`updated_at`. To keep your own copy in step, remember when you last synced and ask only for what changed "
        "since with `filter[updated_since]`, walking every page. Use `filter[cohort]` to limit the cohorts, "
        "`filter[training_status]` to one training status and `filter[from_participant_id]` to find the record "
        f"an old participant id was merged into. See {GUIDANCE}/syncing-participants.",
    ),
    ("get", "/participants/ecf/{id}"): Doc(
        PARTICIPANTS,
        "Show one participant",
        "One participant you train, by id. An id you do not train (or that is unknown) answers 404. If a "
        "participant's id changed, `participant_id_changes` lists the old ids.",
    ),
    ("put", "/participants/ecf/{id}/defer"): Doc(
        PARTICIPANTS,
        "Defer a participant",
        "Tell us that a participant is pausing their training, with the reason. "
        + _ACTION_BODY
        + "A deferred "
        "participant can be resumed later; no declarations can be submitted for dates while they are deferred. "
        f"See {GUIDANCE}/training-changes.",
    ),
    ("put", "/participants/ecf/{id}/resume"): Doc(
        PARTICIPANTS,
        "Resume a participant",
        "Tell us that a deferred or withdrawn participant is training with you again. "
        + _ACTION_BODY
        + f"See {GUIDANCE}/training-changes.",
    ),
    ("put", "/participants/ecf/{id}/withdraw"): Doc(
        PARTICIPANTS,
        "Withdraw a participant",
        "Tell us that a participant has stopped training with you, with the reason. "
        + _ACTION_BODY
        + "Declarations dated after the withdrawal are refused. "
        f"See {GUIDANCE}/training-changes.",
    ),
    ("put", "/participants/ecf/{id}/change-schedule"): Doc(
        PARTICIPANTS,
        "Change a participant's schedule",
        "Move a participant onto another schedule (standard, reduced, extended or replacement, starting in "
        "September, January or April). " + _ACTION_BODY + "A change that would leave a submitted declaration "
        "outside its milestone dates is refused: void those declarations first. "
        f"See {GUIDANCE}/training-changes.",
    ),
    ("put", "/participants/{id}/defer"): Doc(
        PARTICIPANTS, "Defer a participant (older path)", "The same as `PUT /participants/ecf/{id}/defer`."
    ),
    ("put", "/participants/{id}/resume"): Doc(
        PARTICIPANTS, "Resume a participant (older path)", "The same as `PUT /participants/ecf/{id}/resume`."
    ),
    ("put", "/participants/{id}/withdraw"): Doc(
        PARTICIPANTS,
        "Withdraw a participant (older path)",
        "The same as `PUT /participants/ecf/{id}/withdraw`.",
    ),
    ("put", "/participants/{id}/change-schedule"): Doc(
        PARTICIPANTS,
        "Change a participant's schedule (older path)",
        "The same as `PUT /participants/ecf/{id}/change-schedule`.",
    ),
    ("get", "/participants/ecf.csv"): Doc(
        PARTICIPANTS,
        "Download your participants as CSV",
        "The same records as the participants list, one row per training record, as a CSV file.",
    ),
    ("get", "/participants/ecf/transfers"): Doc(
        TRANSFERS,
        "List participants who moved school",
        "Participants who left or joined one of your schools, with where they went and when, and whether the "
        "move is complete. A transfer to another lead provider shows that provider's name.",
    ),
    ("get", "/participants/ecf/{id}/transfers"): Doc(
        TRANSFERS,
        "Show one participant's transfers",
        "The school moves of one participant you train (or trained). 404 when you never trained them.",
    ),
    ("get", "/unfunded-mentors/ecf"): Doc(
        UNFUNDED,
        "List mentors you do not train",
        "Mentors of your early career teachers who are not funded through you, with their contact details, so "
        "you can give them access to your materials.",
    ),
    ("get", "/unfunded-mentors/ecf/{id}"): Doc(
        UNFUNDED, "Show one unfunded mentor", "One mentor from the unfunded mentors list, by participant id."
    ),
    ("get", "/partnerships/ecf"): Doc(
        PARTNERSHIPS,
        "List your partnerships",
        "Your partnerships with schools, one per school, cohort and delivery partner, including those a school "
        f"has challenged (`status` is `challenged`). See {GUIDANCE}/partnerships.",
    ),
    ("post", "/partnerships/ecf"): Doc(
        PARTNERSHIPS,
        "Confirm a partnership with a school",
        "Tell us that a school will train its early career teachers with you and one of your delivery partners "
        "for a cohort. The school must be eligible for funded training in that cohort, have no partnership with "
        "you for it yet, and the delivery partner must work with you in that cohort. The school's participants "
        "then appear in your participants list. Answers 200 with the new partnership. "
        f"See {GUIDANCE}/partnerships.",
    ),
    ("get", "/partnerships/ecf/{id}"): Doc(
        PARTNERSHIPS, "Show one partnership", "One of your partnerships, by id; another provider's is a 404."
    ),
    ("put", "/partnerships/ecf/{id}"): Doc(
        PARTNERSHIPS,
        "Change a partnership's delivery partner",
        "Replace the delivery partner of one of your active partnerships. A challenged partnership cannot be "
        f"changed. See {GUIDANCE}/partnerships.",
    ),
    ("get", "/schools/ecf"): Doc(
        SCHOOLS,
        "List schools for a cohort",
        "Schools eligible for funded training in one cohort (`filter[cohort]` is required), whether they are in "
        "partnership with you, and how they run induction. Every lead provider sees the same schools.",
    ),
    ("get", "/schools/ecf/{id}"): Doc(
        SCHOOLS,
        "Show one school",
        "One school as it stands in the cohort given by `filter[cohort]` (required).",
    ),
    ("get", "/delivery-partners"): Doc(
        DELIVERY_PARTNERS,
        "List your delivery partners",
        "The delivery partners you work with, and the cohorts you work with each of them in.",
    ),
    ("get", "/delivery-partners/{id}"): Doc(
        DELIVERY_PARTNERS, "Show one delivery partner", "One delivery partner you work with, by id."
    ),
    ("get", "/participant-declarations"): Doc(
        DECLARATIONS,
        "List your declarations",
        "Every declaration you submitted, with its state (from `submitted` through `eligible`, `payable` and "
        "`paid`, or `voided`, `awaiting-clawback` and `clawed-back`) and the statement it is paid or clawed back "
        f"on. Filter by participant, cohort, delivery partner or `updated_since`. See {GUIDANCE}/declarations.",
    ),
    ("post", "/participant-declarations"): Doc(
        DECLARATIONS,
        "Submit a declaration",
        "Tell us that a participant reached a milestone of their schedule: `started`, a `retained-N`, "
        "`completed` or an `extended-N`. The date must fall within the milestone's dates and not in the future. "
        "Sending exactly the same declaration again answers with the one you already made. Answers 200 with the "
        f"declaration and its state. See {GUIDANCE}/declarations.",
    ),
    ("get", "/participant-declarations/{id}"): Doc(
        DECLARATIONS, "Show one declaration", "One of your declarations, by id, with its current state."
    ),
    ("put", "/participant-declarations/{id}/void"): Doc(
        DECLARATIONS,
        "Void a declaration",
        "Withdraw a declaration you made in error. One not yet paid becomes `voided`; one already paid becomes "
        "`awaiting-clawback` and is recovered on your next statement. No body is needed. "
        f"See {GUIDANCE}/declarations.",
    ),
    ("get", "/participant-declarations.csv"): Doc(
        DECLARATIONS,
        "Download your declarations as CSV",
        "The same declarations as the list, as a CSV file.",
    ),
    ("get", "/statements"): Doc(
        STATEMENTS,
        "List your statements",
        "Your monthly financial statements per cohort: the deadline for declarations to count on each, when it "
        f"is paid, and whether it is still open or already paid. See {GUIDANCE}/statements.",
    ),
    ("get", "/statements/{id}"): Doc(STATEMENTS, "Show one statement", "One of your statements, by id."),
}

VERSION_NOTES: dict[tuple[str, str, str], str] = {
    (version, "get", "/participants/ecf"): (
        "In this version each training record is its own entry: someone who is both an ECT and a mentor appears "
        "twice, with the same `id` and different `training_record_id`. Only `filter[cohort]` and "
        "`filter[updated_since]` are read."
    )
    for version in ("v1", "v2")
}

# Examples of refusals, in the words the service answers with.
ERROR_EXAMPLES: dict[tuple[str, str, str], dict] = {
    ("put", "/participants/ecf/{id}/defer", "422"): {
        "errors": [{"title": "reason", "detail": "The property '#/reason' must be a valid reason"}]
    },
    ("put", "/participants/ecf/{id}/resume", "422"): {
        "errors": [{"title": "participant_profile", "detail": "The participant is already active"}]
    },
    ("put", "/participants/ecf/{id}/withdraw", "422"): {
        "errors": [{"title": "participant_profile", "detail": "The participant is already withdrawn"}]
    },
    ("put", "/participants/ecf/{id}/change-schedule", "422"): {
        "errors": [
            {
                "title": "schedule_identifier",
                "detail": "The property '#/schedule_identifier' must be present and correspond to a valid schedule",
            }
        ]
    },
    ("post", "/participant-declarations", "422"): {
        "errors": [
            {
                "title": "declaration_date",
                "detail": "The '#/declaration_date' value cannot be a future date. Check the date and try again.",
            }
        ]
    },
    ("put", "/participant-declarations/{id}/void", "422"): {
        "errors": [{"title": "Invalid action", "detail": "This declaration has already been voided."}]
    },
    ("post", "/partnerships/ecf", "422"): {
        "errors": [
            {
                "title": "school_id",
                "detail": "You are already in a confirmed partnership with this school for the entered cohort.",
            }
        ]
    },
    ("put", "/partnerships/ecf/{id}", "422"): {
        "errors": [{"title": "delivery_partner_id", "detail": "Enter a '#/delivery_partner_id'."}]
    },
    ("get", "/schools/ecf", "400"): {
        "errors": [
            {"title": "Bad parameter", "detail": "The filter '#/cohort' must be included in your request"}
        ]
    },
    ("get", "/schools/ecf/{id}", "400"): {
        "errors": [
            {"title": "Bad parameter", "detail": "The filter '#/cohort' must be included in your request"}
        ]
    },
}
for _path in ("/participants/{id}/defer", "/participants/{id}/resume", "/participants/{id}/withdraw"):
    ERROR_EXAMPLES[("put", _path, "422")] = ERROR_EXAMPLES[
        ("put", _path.replace("/{id}", "/ecf/{id}"), "422")
    ]
ERROR_EXAMPLES[("put", "/participants/{id}/change-schedule", "422")] = ERROR_EXAMPLES[
    ("put", "/participants/ecf/{id}/change-schedule", "422")
]


def lookup(version: str, method: str, path: str) -> Doc | None:
    doc = DOCS.get((method, path))
    if doc is None:
        return None
    note = VERSION_NOTES.get((version, method, path))
    if note:
        return Doc(doc.tag, doc.summary, f"{doc.description}\n\n{note}")
    return doc


def operation_id(version: str, method: str, path: str) -> str:
    """A stable id from the method and path: `put_participants_ecf_id_defer`."""
    words = path.replace(".csv", "_csv").replace("{", "").replace("}", "").replace("-", "_").strip("/")
    return f"{method}_{words.replace('/', '_')}"


def success_description(method: str, path: str) -> str:
    if method == "get":
        return "The requested resources." if not path.endswith("}") else "The requested resource."
    return "Done: the resource as it now stands."


def api_description(version: str) -> str:
    return (
        "The lead provider API of early career teacher training: the participants you train, the schools you "
        "partner with, the declarations that trigger your payments and the statements that pay them.\n\n"
        f"Every request needs your token in `Authorization: Bearer <token>`. Bodies and answers are JSON "
        "(`application/vnd.api+json`). Guidance with worked examples: [getting started](/api/guidance/getting-started), "
        "[all guidance pages](/api/guidance). Download this document as "
        f"[YAML](/api/docs/{version}/api_spec.yml) or [JSON](/api/schema/{version}), or as a "
        f"[Postman collection](/api/docs/{version}/postman.json)."
    )
