"""One-off data maintenance of declarations run by commands (not by the API)."""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from config import clock
from declarations.models import Declaration
from participants.models import TrainingRecord


def declarations_with_stale_uplift_flags(*, cohort) -> QuerySet[Declaration]:
    """The cohort's declarations whose uplift flags differ from their training record's current flags."""
    return Declaration.objects.filter(cohort=cohort).filter(
        ~Q(sparsity_uplift=F("training_record__sparsity_uplift"))
        | ~Q(pupil_premium_uplift=F("training_record__pupil_premium_uplift"))
    )


def declarations_copy_uplift_flags(*, declarations: QuerySet[Declaration]) -> int:
    """Copies each declaration's training record's current uplift flags onto it, set-based; `updated_at`
    moves because the v3 `uplift_paid` may change. Returns how many declarations changed."""
    record = TrainingRecord.objects.filter(pk=OuterRef("training_record_id"))
    return Declaration.objects.filter(pk__in=declarations.values("pk")).update(
        sparsity_uplift=Subquery(record.values("sparsity_uplift")[:1]),
        pupil_premium_uplift=Subquery(record.values("pupil_premium_uplift")[:1]),
        updated_at=clock.now(),
    )
