"""Parsing of the query-string conventions: deep-object `filter[...]` and `page[...]`, and `sort`."""

import datetime as dt
import re
import uuid
from urllib.parse import unquote

from django.utils.dateparse import parse_date, parse_datetime

from config.errors import BadParameterError, BadRequestError

_RUBY_INT = re.compile(r"^\s*([+-]?\d+)")

PAGINATION_ERROR = "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid number (equal and more than 1)"
UPDATED_SINCE_ERROR = "The filter '#/updated_since' must be a valid RCF3339 date"


def ruby_to_i(value: str | None) -> int:
    """Ruby's String#to_i: leading digits count, anything else is 0 ("5abc" → 5, "abc" → 0)."""
    match = _RUBY_INT.match(value or "")
    return int(match.group(1)) if match else 0


def nested_params(query_params, name: str) -> dict[str, str] | None:
    """`name[key]=value` pairs as a dict; None when no such key was sent. The last value of a key wins."""
    prefix = f"{name}["
    found = {}
    for key in query_params:
        if key.startswith(prefix) and key.endswith("]"):
            found[key[len(prefix) : -1]] = query_params.getlist(key)[-1]
    return found if found else None


def filter_params(query_params) -> dict[str, str]:
    """The `filter[...]` hash; a scalar `filter` is the 400 "Filter must be a hash"."""
    if "filter" in query_params:
        raise BadParameterError("Filter must be a hash")
    return nested_params(query_params, "filter") or {}


def require_filter(filters: dict[str, str], name: str) -> None:
    if name not in filters:
        raise BadParameterError(f"The filter '#/{name}' must be included in your request")


def parse_updated_since(value: str) -> dt.datetime:
    """RFC 3339 date-time or date (midnight UTC); tried raw, then URL-decoded once."""
    for candidate in (value, unquote(value)):
        parsed = _parse_rfc3339(candidate.strip())
        if parsed is not None:
            return parsed
    raise BadRequestError(UPDATED_SINCE_ERROR)


def _parse_rfc3339(value: str) -> dt.datetime | None:
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                return None
            parsed = dt.datetime.combine(day, dt.time.min)
        # Normalised to UTC: PostgreSQL refuses offsets beyond ±15:59, and out-of-range instants are a 400.
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        return None


def parse_cohort_years(value: str | None) -> list[int] | None:
    """Comma list of start years; None when absent or empty (callers then apply their default)."""
    if value is None or value.strip() == "":
        return None
    years = []
    for part in value.split(","):
        part = part.strip()
        if re.fullmatch(r"[+-]?\d+", part):
            years.append(int(part))
    return years  # non-numeric parts match nothing, as an unknown year does


def parse_uuid_list(value: str) -> list[uuid.UUID]:
    """Comma-separated ids; malformed ones match nothing rather than failing."""
    ids = []
    for part in value.split(","):
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return ids


def sort_fields(value: str | None, allowed: set[str]) -> list[str]:
    """`sort=a,-b,+c` → ORM ordering; unknown fields are dropped without error."""
    if not value:
        return []
    ordering = []
    for raw in value.split(","):
        descending = raw.startswith("-")
        name = raw[1:] if raw[:1] in "+-" else raw
        if name in allowed:
            ordering.append(f"-{name}" if descending else name)
    return ordering
