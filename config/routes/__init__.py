"""The API's routes, one module per version: where each app's viewsets are composed into URLs.

With `config.urls`, the top of the import graph: these modules import every app's `api` package, and nothing
but `config.urls` (and the schema views it serves) imports them.
"""

from types import SimpleNamespace

from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator

from config.api.versioning import VERSIONS  # noqa: F401  (re-exported for config.urls)


def version_urlconf(version: str) -> SimpleNamespace:
    """The routes of one version under their real prefix, so the schema shows `/api/vN/...` paths."""
    return SimpleNamespace(urlpatterns=[path(f"api/{version}/", include(f"config.routes.{version}"))])


def generate_schema(version: str) -> dict:
    """The OpenAPI document of one version, as served at /api/schema/<version>."""
    generator = SchemaGenerator(urlconf=version_urlconf(version), api_version=version)
    return generator.get_schema(request=None, public=True)
