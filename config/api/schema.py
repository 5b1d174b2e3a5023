"""How drf-spectacular describes this API: the bearer scheme and UUID path parameters (the schema of each
version is generated in `config.routes`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class LeadProviderTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partnerships.authentication.LeadProviderTokenAuthentication"
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
