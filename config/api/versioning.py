"""Which API version a request speaks, read from one place: the `/api/vN/` prefix of its path.

Viewsets are shared between versions; they pick their representation (serializer, CSV columns) and the few
per-version rules (sort on v3 lists, strict `updated_since` on v1/v2 declarations) by this version.
"""

import re

from rest_framework.versioning import BaseVersioning, URLPathVersioning

VERSIONS = ("v1", "v2", "v3")
LATEST = VERSIONS[-1]
_PREFIX = re.compile(r"^/api/(v\d+)/")


def version_of_path(path: str) -> str:
    match = _PREFIX.match(path or "")
    version = match.group(1) if match else None
    return version if version in VERSIONS else LATEST


class PathPrefixVersioning(URLPathVersioning):
    """DRF's `request.version` from the path prefix.

    A URL-path scheme for drf-spectacular, which then builds each version's document from that version's
    routes; but the version is read from the literal prefix, not from a `{version}` URL argument.
    """

    allowed_versions = VERSIONS

    def determine_version(self, request, *args, **kwargs):
        return version_of_path(request.path)

    def reverse(self, viewname, args=None, kwargs=None, request=None, format=None, **extra):
        return BaseVersioning.reverse(self, viewname, args, kwargs, request, format, **extra)
