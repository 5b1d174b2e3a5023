"""Routes of API v2: each app's viewsets of that version."""

from django.urls import path

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet

router = ApiRouter()
router.register("participant-declarations", DeclarationViewSet, basename="v2-participant-declaration")

urlpatterns = [
    # The CSV download before the router's routes, whose `.csv` suffix would read it as the JSON list.
    path(
        "participant-declarations.csv",
        DeclarationViewSet.as_view({"get": "download"}),
        name="v2-participant-declaration-csv",
    ),
    *router.urls,
]
