"""Routes of API v1: each app's viewsets of that version."""

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet

router = ApiRouter()
router.register("participant-declarations", DeclarationViewSet, basename="v1-participant-declaration")

urlpatterns = router.urls
