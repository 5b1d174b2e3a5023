"""Routes of API v2: each app's viewsets of that version."""

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet

router = ApiRouter()
router.register("participant-declarations", DeclarationViewSet, basename="v2-participant-declaration")

urlpatterns = router.urls
