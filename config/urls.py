from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import guidance
from config.api.docs.postman import collection
from config.routes import VERSIONS, generate_schema, version_urlconf

admin.site.site_header = "Early career training: back office"
admin.site.site_title = "ECF back office"
admin.site.index_title = "Finance and support"

handler400 = "config.api.exceptions.bad_request"

urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/v3", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.routes.v1")),
    path("api/v2/", include("config.routes.v2")),
    path("api/v3/", include("config.routes.v3")),
    path("api/guidance", guidance.index, name="guidance"),
    path("api/guidance/<slug:slug>", guidance.page, name="guidance-page"),
]


def schema_view(version: str, renderer):
    """The OpenAPI document of one version, public and in one format whatever the client's `Accept` says."""
    return SpectacularAPIView.as_view(
        urlconf=version_urlconf(version),
        api_version=version,
        renderer_classes=[renderer],
        authentication_classes=[],
        permission_classes=[],
    )


def postman_view(version: str):
    """The version's reference as a collection to import into Postman: `/api/docs/vN/postman.json`."""

    def view(request):
        response = JsonResponse(
            collection(generate_schema(version), version), json_dumps_params={"indent": 2}
        )
        response["Content-Disposition"] = (
            f'inline; filename="lead-provider-api-{version}.postman_collection.json"'
        )
        return response

    return view


for version in VERSIONS:
    urlpatterns += [
        path(f"api/docs/{version}/postman.json", postman_view(version), name=f"postman-{version}"),
        path(f"api/schema/{version}", schema_view(version, OpenApiJsonRenderer2), name=f"schema-{version}"),
        # The path providers' tooling already fetches the YAML from.
        path(
            f"api/docs/{version}/api_spec.yml",
            schema_view(version, OpenApiYamlRenderer2),
            name=f"schema-yaml-{version}",
        ),
        path(
            f"api/docs/{version}",
            SpectacularSwaggerView.as_view(
                url_name=f"schema-{version}", authentication_classes=[], permission_classes=[]
            ),
            name=f"docs-{version}",
        ),
        path(
            f"api/redoc/{version}",
            SpectacularRedocView.as_view(
                url_name=f"schema-{version}", authentication_classes=[], permission_classes=[]
            ),
            name=f"redoc-{version}",
        ),
    ]
