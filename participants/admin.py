from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from participants.models import (
    EligibilityChange,
    InductionRecord,
    Milestone,
    Participant,
    ParticipantIdChange,
    Schedule,
    ScheduleChange,
    TrainingRecord,
    TrainingStatusChange,
)


class MilestoneInline(ReadOnlyInline):
    model = Milestone


@admin.register(Schedule)
class ScheduleAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("schedule_identifier", "cohort", "schedule_type", "name")
    list_filter = ("cohort", "schedule_type")
    list_select_related = ("cohort",)
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("schedule", "declaration_type", "start_date", "milestone_date", "payment_date")
    list_filter = ("schedule__cohort", "declaration_type")
    list_select_related = ("schedule__cohort",)


class TrainingRecordInline(ReadOnlyInline):
    model = TrainingRecord
    fields = (
        "id",
        "participant_type",
        "record_status",
        "schedule",
        "eligibility_status",
        "eligibility_reason",
    )
    show_change_link = True


class IdChangeInline(ReadOnlyInline):
    model = ParticipantIdChange


@admin.register(Participant)
class ParticipantAdmin(DomainAdmin):
    list_display = ("full_name", "email", "trn", "created_at", "updated_at")
    search_fields = ("full_name", "email", "trn", "id")
    inlines = [TrainingRecordInline, IdChangeInline]


class InductionRecordInline(ReadOnlyInline):
    model = InductionRecord
    fk_name = "training_record"
    fields = (
        "start_date",
        "end_date",
        "induction_programme",
        "schedule",
        "training_status",
        "induction_status",
        "mentor",
    )


class TrainingStatusChangeInline(ReadOnlyInline):
    model = TrainingStatusChange


class EligibilityChangeInline(ReadOnlyInline):
    model = EligibilityChange


class ScheduleChangeInline(ReadOnlyInline):
    model = ScheduleChange


@admin.register(TrainingRecord)
class TrainingRecordAdmin(DomainAdmin):
    list_display = ("participant", "participant_type", "schedule", "eligibility_status", "record_status")
    list_filter = ("participant_type", "eligibility_status", "schedule__cohort")
    list_select_related = ("participant", "schedule__cohort")
    search_fields = ("participant__full_name", "participant__trn", "participant__email", "id")
    raw_id_fields = ("participant", "school_cohort", "schedule")
    state_fields = ("eligibility_status", "eligibility_reason")
    inlines = [
        InductionRecordInline,
        TrainingStatusChangeInline,
        EligibilityChangeInline,
        ScheduleChangeInline,
    ]


@admin.register(InductionRecord)
class InductionRecordAdmin(DomainAdmin):
    list_display = ("training_record", "start_date", "end_date", "training_status", "induction_status")
    list_filter = ("training_status", "induction_status")
    list_select_related = ("training_record__participant",)
    raw_id_fields = ("training_record", "induction_programme", "schedule", "mentor")
    state_fields = ("training_status",)


for history_model in (TrainingStatusChange, EligibilityChange, ScheduleChange):
    admin.site.register(history_model, HistoryAdmin)
