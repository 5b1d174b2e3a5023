from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from statements.models import (
    Adjustment,
    CallOffContract,
    MentorCallOffContract,
    ParticipantBand,
    Statement,
    StatementLineItem,
    StatementSnapshot,
    StatementStateChange,
)


class BandInline(ReadOnlyInline):
    model = ParticipantBand


@admin.register(CallOffContract)
class CallOffContractAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "cohort", "version", "recruitment_target", "monthly_service_fee")
    list_filter = ("cohort", "lead_provider")
    list_select_related = ("lead_provider", "cohort")
    inlines = [BandInline]


@admin.register(MentorCallOffContract)
class MentorCallOffContractAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "cohort", "version", "payment_per_participant")
    list_select_related = ("lead_provider", "cohort")


class StatementStateChangeInline(ReadOnlyInline):
    model = StatementStateChange


class AdjustmentInline(admin.TabularInline):
    model = Adjustment
    extra = 0


@admin.register(Statement)
class StatementAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = (
        "lead_provider",
        "cohort",
        "name",
        "deadline_date",
        "payment_date",
        "output_fee",
        "status",
        "marked_as_paid_at",
    )
    list_filter = ("lead_provider", "cohort", "status", "output_fee")
    list_select_related = ("lead_provider", "cohort")
    ordering = ("payment_date",)
    state_fields = ("status", "marked_as_paid_at", "marked_as_paid_by")
    inlines = [AdjustmentInline, StatementStateChangeInline]


@admin.register(StatementLineItem)
class StatementLineItemAdmin(HistoryAdmin):
    list_display = ("statement", "declaration", "kind", "state")
    list_filter = ("kind", "state")
    list_select_related = ("statement__lead_provider", "statement__cohort", "declaration")


for model in (Adjustment, ParticipantBand):
    admin.site.register(model, DomainAdmin)
admin.site.register(StatementStateChange, HistoryAdmin)
admin.site.register(StatementSnapshot, HistoryAdmin)
