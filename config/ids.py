"""Reading ids that arrive as text (request bodies, URL paths, command arguments) without ever raising."""

import uuid


def parse_uuid(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one.

    A UUID passes through and text must be a UUID as written (no surrounding whitespace); anything else
    (None, numbers, lists, malformed text) is None, so that a caller answers "not found" instead of failing.
    """
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
