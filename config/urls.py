from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.routes import VERSIONS, version_urlconf

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
]

for version in VERSIONS:
    urlpatterns += [
        path(
            f"api/schema/{version}",
            SpectacularAPIView.as_view(
                urlconf=version_urlconf(version),
                api_version=version,
                custom_settings={"VERSION": version},
                authentication_classes=[],
                permission_classes=[],
            ),
            name=f"schema-{version}",
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
