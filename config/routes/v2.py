"""Routes of API v2: each app's viewsets of that version."""

from config.api.routers import ApiRouter

router = ApiRouter()

urlpatterns = router.urls
