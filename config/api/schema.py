"""OpenAPI generation per API version (drf-spectacular), shared by the docs views and the schema test."""

from types import SimpleNamespace

from django.urls import include, path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

VERSIONS = ("v1", "v2", "v3")


def version_urlconf(version: str) -> SimpleNamespace:
    """The routes of one version under their real prefix, so the schema shows `/api/vN/...` paths."""
    return SimpleNamespace(urlpatterns=[path(f"api/{version}/", include(f"config.api.{version}"))])


def generate_schema(version: str) -> dict:
    generator = SchemaGenerator(urlconf=version_urlconf(version), api_version=version)
    return generator.get_schema(request=None, public=True)


class LeadProviderTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.LeadProviderTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A lead provider's API token: `Authorization: Bearer <token>`.",
        }


class ApiAutoSchema(AutoSchema):
    """Every path parameter of this API is a UUID (ids of participants, declarations, statements, ...)."""

    def _resolve_path_parameters(self, variables):
        uuid_variables = [variable for variable in variables if variable != "format"]
        parameters = [
            build_parameter_type(
                name=variable, location=OpenApiParameter.PATH, schema=build_basic_type(OpenApiTypes.UUID)
            )
            for variable in uuid_variables
        ]
        if "format" in variables:
            parameters += super()._resolve_path_parameters(["format"])
        return parameters
