"""Routes of API v3. Each app registers its viewsets here."""

from config.api.routers import ApiRouter
from partnerships.api.v3 import DeliveryPartnerViewSet

router = ApiRouter()
router.register("delivery-partners", DeliveryPartnerViewSet, basename="v3-delivery-partner")

urlpatterns = router.urls
