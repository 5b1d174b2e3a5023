"""The routes v1 and v2 share: the same operations (participants, their older paths, declarations and the two
CSV downloads) on the shared viewsets, which render each version's representation."""

from django.urls import path

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet
from participants.api.views import ParticipantAliasViewSet, ParticipantViewSet


def older_version_urlpatterns(version: str) -> list:
    router = ApiRouter()
    router.register(
        "participant-declarations", DeclarationViewSet, basename=f"{version}-participant-declaration"
    )
    router.register("participants/ecf", ParticipantViewSet, basename=f"{version}-participant")
    # The older paths of the participants list and actions.
    router.register("participants", ParticipantAliasViewSet, basename=f"{version}-participant-alias")
    return [
        # The CSV downloads before the router's routes, whose `.csv` suffix would read them as the JSON lists.
        path(
            "participant-declarations.csv",
            DeclarationViewSet.as_view({"get": "download"}),
            name=f"{version}-participant-declaration-csv",
        ),
        path(
            "participants/ecf.csv",
            ParticipantViewSet.as_view({"get": "list"}),
            {"format": "csv"},
            name=f"{version}-participant-csv",
        ),
        *router.urls,
    ]
