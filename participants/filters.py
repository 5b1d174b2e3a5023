"""`filter[...]` of the participant endpoints. They narrow what the selectors' scopes return."""

import django_filters
from django.db.models import Exists, OuterRef

from config.api.filters import ApiFilterSet, UpdatedSinceFilter
from config.api.params import parse_cohort_years
from config.errors import BadRequestError
from config.ids import parse_uuid
from participants.models import ParticipantIdChange, TrainingStatus
from participants.selectors import latest_only, with_matching_latest_record

TRAINING_STATUS_ERROR = 'The filter \'#/training_status\' must be ["active", "deferred", "withdrawn"]'


class ParticipantFilter(ApiFilterSet):
    """One item per person (v3). `cohort` and `training_status` apply to one and the same L row; without
    `cohort`, cohorts after 2020."""

    cohort = django_filters.CharFilter(label="Comma-separated cohort start years")
    training_status = django_filters.CharFilter(label="active, deferred or withdrawn")
    updated_since = UpdatedSinceFilter(field_name="updated_at", label="RFC 3339 date-time (inclusive)")
    from_participant_id = django_filters.CharFilter(label="A retired participant id")

    def filter_queryset(self, queryset):
        data = self.filter_values()
        training_status = data.get("training_status") or None
        if training_status is not None and training_status not in TrainingStatus.values:
            raise BadRequestError(TRAINING_STATUS_ERROR)
        queryset = with_matching_latest_record(
            queryset,
            lead_provider=self.request.user.lead_provider,
            cohort_years=parse_cohort_years(data.get("cohort")),
            training_status=training_status,
        )
        queryset = self.filters["updated_since"].filter(queryset, data.get("updated_since"))
        from_id = data.get("from_participant_id")
        if from_id:
            pk = parse_uuid(from_id.strip())
            if pk is None:
                return queryset.none()
            queryset = queryset.filter(
                Exists(
                    ParticipantIdChange.objects.filter(participant_id=OuterRef("pk"), from_participant_id=pk)
                )
            )
        return queryset


class TrainingRecordParticipantFilter(ApiFilterSet):
    """One item per training record (v1/v2): induction records narrowed to each training record's L, chosen
    among its records in the requested cohorts (after 2020 without `cohort`)."""

    cohort = django_filters.CharFilter(label="Comma-separated cohort start years")
    updated_since = UpdatedSinceFilter(
        field_name="training_record__participant__updated_at", label="RFC 3339 date-time (inclusive)"
    )

    def filter_queryset(self, queryset):
        data = self.filter_values()
        queryset = latest_only(
            queryset,
            lead_provider=self.request.user.lead_provider,
            cohort_years=parse_cohort_years(data.get("cohort")),
            choose_within_cohorts=True,
        )
        return self.filters["updated_since"].filter(queryset, data.get("updated_since"))


class UpdatedSinceOnlyFilter(ApiFilterSet):
    """Transfers and unfunded mentors: person `updated_at >= value`."""

    updated_since = UpdatedSinceFilter(field_name="updated_at", label="RFC 3339 date-time (inclusive)")
