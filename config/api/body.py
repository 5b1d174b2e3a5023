"""Reading write bodies: `{"data": {"type": ..., "attributes": {...}}}`."""

from config.errors import InvalidDataStructureError


def request_attributes(request) -> dict:
    """The `data.attributes` object of the body; missing `data` (or a non-object) is the spec's 400.

    `data` without `attributes` is treated as empty attributes, so normal validation answers 422.
    `data.type` and any unknown keys are ignored.
    """
    body = request.data
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise InvalidDataStructureError()
    attributes = body["data"].get("attributes")
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidDataStructureError()
    return attributes
