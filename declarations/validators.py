"""Pure checks of a declaration submission: body values, date formats and evidence."""

import datetime as dt
import re

from declarations.models import EvidenceHeld
from participants.models import CourseIdentifier, DeclarationType

PERMITTED_ATTRIBUTES = (
    "participant_id",
    "declaration_type",
    "declaration_date",
    "course_identifier",
    "evidence_held",
)

# Accepted dates: YYYY-MM-DDThh:mm:ss, optional fraction (. or ,), optional zone Z / ±hh / ±hhmm / ±hh:mm.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
# What a lenient timestamp parser still turns into an instant (a space separator, no seconds, a date alone,
# a " UTC" zone). Used only for rule #3 ("cannot be turned into a timestamp at all") and the date rules.
_LENIENT = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:[.,](\d+))?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)


def is_blank(value) -> bool:
    """Ruby's `blank?`: None, empty or whitespace-only strings, empty containers, false."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | dict):
        return not value
    return False


def scalar(value) -> str | None:
    """A body value as the string a permitted-parameters filter would keep.

    Arrays and objects are not permitted for scalar attributes, so they count as absent; numbers and
    booleans become their JSON text.
    """
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # The database stores neither NUL characters nor lone surrogates: make them harmless, unmatchable marks.
    return str(value).replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def read_attributes(attributes: dict) -> dict[str, str | None]:
    return {name: scalar(attributes.get(name)) for name in PERMITTED_ATTRIBUTES}


def _zone(text: str | None) -> dt.tzinfo | None:
    if text is None or text.upper() in ("Z", "UTC", "GMT"):
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    if hours > 23 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _build(year, month, day, hour, minute, second, fraction, zone) -> dt.datetime | None:
    tz = _zone(zone)
    if tz is None:
        return None
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        value = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=tz,
        )
        return value.astimezone(dt.UTC)
    except (
        ValueError,
        OverflowError,
    ):  # not a real calendar date or time, or outside the representable range
        return None


def parse_rfc3339(value: str | None) -> dt.datetime | None:
    """The instant in UTC if `value` is a valid RFC 3339 date-time as the API accepts it, else None."""
    if value is None:
        return None
    match = _RFC3339.match(value)
    return _build(*match.groups()) if match else None


def parse_lenient(value: str | None) -> dt.datetime | None:
    """The instant a lenient timestamp parser gets from `value`, or None when it cannot make one."""
    if value is None:
        return None
    strict = parse_rfc3339(value)
    if strict is not None:
        return strict
    match = _LENIENT.match(value)
    return _build(*match.groups()) if match else None


# Evidence: allowed values per cohort kind and declaration type, and when it is required.
PRE_2025_EVIDENCE = (
    EvidenceHeld.TRAINING_EVENT_ATTENDED,
    EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED,
    EvidenceHeld.OTHER,
)
DETAILED_GENERAL_EVIDENCE = (
    EvidenceHeld.TRAINING_EVENT_ATTENDED,
    EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED,
    EvidenceHeld.MATERIALS_ENGAGED_WITH_OFFLINE,
    EvidenceHeld.OTHER,
)
ENGAGEMENT_EVIDENCE = (EvidenceHeld.ENGAGEMENT_MET, EvidenceHeld.ENGAGEMENT_MET_REDUCED_INDUCTION)


def detailed_evidence_values(course_identifier: str, declaration_type: str) -> tuple[str, ...]:
    """Allowed `evidence_held` values in a cohort with detailed evidence types (2025+)."""
    if course_identifier == CourseIdentifier.ECF_MENTOR:
        if declaration_type == DeclarationType.STARTED:
            return DETAILED_GENERAL_EVIDENCE
        if declaration_type == DeclarationType.COMPLETED:
            return ENGAGEMENT_EVIDENCE
        return ()
    if declaration_type == DeclarationType.RETAINED_2:
        return ENGAGEMENT_EVIDENCE
    if declaration_type == DeclarationType.COMPLETED:
        return (*ENGAGEMENT_EVIDENCE, EvidenceHeld.ONE_TERM_INDUCTION)
    if declaration_type in DeclarationType.values:
        return DETAILED_GENERAL_EVIDENCE
    return ()


def normalised_evidence(
    *, detailed: bool, declaration_type: str | None, evidence_held: str | None
) -> str | None:
    """The evidence value stored for a submission that passes the evidence rule (blank → null; pre-2025 started → null)."""
    if is_blank(evidence_held):
        return None
    if not detailed and declaration_type in (None, "", DeclarationType.STARTED):
        return None
    return evidence_held


def evidence_error(
    *, detailed: bool, course_identifier: str, declaration_type: str | None, evidence_held: str | None
) -> str | None:
    """ "missing" / "invalid" / None for rule #15."""
    blank = is_blank(evidence_held)
    if not detailed:
        if declaration_type in (None, "", DeclarationType.STARTED):
            return None
        if blank:
            return "missing"
        return None if evidence_held in PRE_2025_EVIDENCE else "invalid"
    if declaration_type == DeclarationType.STARTED and blank:
        return None
    if blank:
        return "missing"
    allowed = detailed_evidence_values(course_identifier, declaration_type or "")
    return None if evidence_held in allowed else "invalid"
