"""Routes of API v1. Each app registers its viewsets here."""

from config.api.routers import ApiRouter

router = ApiRouter()

urlpatterns = router.urls
