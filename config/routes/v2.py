"""Routes of API v2: each app's viewsets of that version."""

from config.api.routers import ApiRouter
from participants.api.views import ParticipantAliasViewSet, ParticipantViewSet

router = ApiRouter()
router.register("participants/ecf", ParticipantViewSet, basename="v2-participant")
# The older paths of the participants list and actions.
router.register("participants", ParticipantAliasViewSet, basename="v2-participant-alias")

urlpatterns = router.urls
