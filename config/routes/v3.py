"""Routes of API v3: each app's viewsets of that version."""

from config.api.routers import ApiRouter
from declarations.api.views import DeclarationViewSet
from participants.api.v3 import ParticipantTransferViewSet, TransferViewSet, UnfundedMentorViewSet
from participants.api.views import ParticipantViewSet
from partnerships.api.v3 import DeliveryPartnerViewSet, PartnershipViewSet, SchoolViewSet
from statements.api.v3 import StatementViewSet

router = ApiRouter()
router.register("delivery-partners", DeliveryPartnerViewSet, basename="v3-delivery-partner")
router.register("partnerships/ecf", PartnershipViewSet, basename="v3-partnership")
router.register("schools/ecf", SchoolViewSet, basename="v3-school")
router.register("participant-declarations", DeclarationViewSet, basename="v3-participant-declaration")
router.register("statements", StatementViewSet, basename="v3-statement")
# participants/ecf/transfers before participants/ecf so that "transfers" is never read as an {id}.
router.register("participants/ecf/transfers", TransferViewSet, basename="v3-transfer")
router.register(
    r"participants/ecf/(?P<participant_id>[^/.]+)/transfers",
    ParticipantTransferViewSet,
    basename="v3-participant-transfer",
)
router.register("participants/ecf", ParticipantViewSet, basename="v3-participant")
router.register("unfunded-mentors/ecf", UnfundedMentorViewSet, basename="v3-unfunded-mentor")

urlpatterns = router.urls
