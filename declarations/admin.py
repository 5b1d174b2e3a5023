from django.contrib import admin

from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange


class StateChangeInline(ReadOnlyInline):
    model = DeclarationStateChange


class AttemptInline(ReadOnlyInline):
    model = DeclarationAttempt
    fk_name = "declaration"


@admin.register(Declaration)
class DeclarationAdmin(DomainAdmin):
    list_display = (
        "id",
        "participant",
        "lead_provider",
        "declaration_type",
        "course_identifier",
        "state",
        "declaration_date",
    )
    list_filter = ("state", "declaration_type", "course_identifier", "cohort", "lead_provider")
    list_select_related = ("participant", "lead_provider")
    search_fields = ("id", "participant__id", "participant__full_name", "participant__trn")
    inlines = [StateChangeInline, AttemptInline]

    def has_add_permission(self, request):
        return False  # declarations come only from providers (06 §3.5)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeclarationAttempt)
class DeclarationAttemptAdmin(HistoryAdmin):
    list_display = (
        "created_at",
        "participant",
        "lead_provider",
        "declaration_type",
        "declaration_date",
        "declaration",
    )
    list_select_related = ("participant", "lead_provider")


admin.site.register(DeclarationStateChange, HistoryAdmin)
