"""Routes of API v2: each app's viewsets of that version."""

from django.urls import path

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet
from participants.api.views import ParticipantAliasViewSet, ParticipantViewSet

router = ApiRouter()
router.register("participant-declarations", DeclarationViewSet, basename="v2-participant-declaration")
router.register("participants/ecf", ParticipantViewSet, basename="v2-participant")
# The older paths of the participants list and actions.
router.register("participants", ParticipantAliasViewSet, basename="v2-participant-alias")

urlpatterns = [
    # The CSV downloads before the router's routes, whose `.csv` suffix would read them as the JSON lists.
    path(
        "participant-declarations.csv",
        DeclarationViewSet.as_view({"get": "download"}),
        name="v2-participant-declaration-csv",
    ),
    path(
        "participants/ecf.csv",
        ParticipantViewSet.as_view({"get": "list"}),
        {"format": "csv"},
        name="v2-participant-csv",
    ),
    *router.urls,
]
