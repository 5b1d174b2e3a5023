"""Routes of API v2. Each app registers its viewsets here."""

from config.api.routers import ApiRouter

router = ApiRouter()

urlpatterns = router.urls
