"""Routes of API v1: each app's viewsets of that version."""

from django.urls import path

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet

router = ApiRouter()
router.register("participant-declarations", DeclarationViewSet, basename="v1-participant-declaration")

urlpatterns = [
    # The CSV download before the router's routes, whose `.csv` suffix would read it as the JSON list.
    path(
        "participant-declarations.csv",
        DeclarationViewSet.as_view({"get": "download"}),
        name="v1-participant-declaration-csv",
    ),
    *router.urls,
]
