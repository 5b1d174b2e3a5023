"""Routes of API v1: each app's viewsets of that version."""

from config.api.routers import ApiRouter

router = ApiRouter()

urlpatterns = router.urls
