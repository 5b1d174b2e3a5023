"""Building blocks for the JSON:API-like resources: `{"id", "type", "attributes"}`."""

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class TimestampField(serializers.DateTimeField):
    """RFC 3339 in UTC with a `Z` and whole seconds: `2024-05-31T02:22:32Z`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(format="%Y-%m-%dT%H:%M:%SZ", default_timezone=dt.UTC, **kwargs)


class MillisecondTimestampField(serializers.DateTimeField):
    """As TimestampField with milliseconds (partnership `challenged_at`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(default_timezone=dt.UTC, **kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@extend_schema_field(OpenApiTypes.STR)
class StringifiedField(serializers.Field):
    """Cohort years and similar numbers that the contract sends as strings."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else str(value)


def resource_serializer(name: str, resource_type: str, attributes: type[serializers.Serializer]):
    """`{"id", "type", "attributes"}` around an attributes serializer that reads the same object."""

    @extend_schema_field({"type": "string", "enum": [resource_type]})
    class TypeField(serializers.Field):
        def __init__(self):
            super().__init__(source="*", read_only=True)

        def to_representation(self, value):
            return resource_type

    return type(
        name,
        (serializers.Serializer,),
        {
            "id": serializers.CharField(source="pk", read_only=True),
            "type": TypeField(),
            "attributes": attributes(source="*", read_only=True),
            "__module__": attributes.__module__,
        },
    )
