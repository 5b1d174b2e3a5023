from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from config.actors import Actor
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from partnerships.models import (
    ApiRequest,
    Cohort,
    DeliveryPartner,
    InductionProgramme,
    LeadProvider,
    LeadProviderToken,
    Partnership,
    PartnershipStateChange,
    ProviderRelationship,
    School,
    SchoolCohort,
)
from partnerships.services import token_issue, token_revoke


@admin.register(Cohort)
class CohortAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = (
        "start_year",
        "academic_year_start_date",
        "payments_frozen_at",
        "mentor_funding",
        "detailed_evidence_types",
    )


class TokenInline(ReadOnlyInline):
    model = LeadProviderToken
    fields = ("label", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(LeadProvider)
class LeadProviderAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("name", "vat_chargeable", "created_at")
    search_fields = ("name",)
    inlines = [TokenInline]
    actions = ["issue_token"]

    @admin.action(description="Issue a new API token (shown once)")
    def issue_token(self, request, queryset):
        for provider in queryset:
            _, raw = token_issue(
                lead_provider=provider, label=f"issued by {request.user}", actor=Actor.staff(request.user)
            )
            self.message_user(
                request, f"New token for {provider}: {raw} (copy it now; it is not stored)", messages.WARNING
            )


@admin.register(LeadProviderToken)
class LeadProviderTokenAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "label", "created_at", "last_used_at", "revoked_at")
    list_filter = ("lead_provider",)
    list_select_related = ("lead_provider",)
    fields = ("lead_provider", "label", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("lead_provider", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued from the lead provider page or `create_api_token`

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, actor=Actor.staff(request.user))
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(ApiRequest)
class ApiRequestAdmin(HistoryAdmin):
    list_display = ("created_at", "lead_provider", "method", "path", "status_code")
    list_filter = ("method", "status_code", "lead_provider")
    list_select_related = ("lead_provider",)
    search_fields = ("path",)


@admin.register(DeliveryPartner)
class DeliveryPartnerAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("name", "discarded_at", "created_at")
    search_fields = ("name", "id")


@admin.register(ProviderRelationship)
class ProviderRelationshipAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "delivery_partner", "cohort", "discarded_at")
    list_filter = ("cohort", "lead_provider")
    list_select_related = ("lead_provider", "delivery_partner", "cohort")


@admin.register(School)
class SchoolAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("name", "urn", "school_type_code", "school_status_code", "administrative_district_code")
    search_fields = ("name", "urn", "id")


@admin.register(SchoolCohort)
class SchoolCohortAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = ("school", "cohort", "induction_programme_choice")
    list_filter = ("cohort", "induction_programme_choice")
    list_select_related = ("school", "cohort")
    search_fields = ("school__name", "school__urn")
    raw_id_fields = ("school", "default_programme")


@admin.register(InductionProgramme)
class InductionProgrammeAdmin(DomainAdmin):
    list_display = ("school_cohort", "training_programme", "partnership")
    list_select_related = ("school_cohort__school", "school_cohort__cohort", "partnership")
    raw_id_fields = ("school_cohort", "partnership")


class PartnershipStateChangeInline(ReadOnlyInline):
    model = PartnershipStateChange
    fk_name = "partnership"


@admin.register(Partnership)
class PartnershipAdmin(DomainAdmin):
    list_display = ("school", "lead_provider", "delivery_partner", "cohort", "status", "relationship")
    list_filter = ("cohort", "lead_provider", "status", "relationship")
    list_select_related = ("school", "lead_provider", "delivery_partner", "cohort")
    search_fields = ("school__name", "school__urn", "id")
    raw_id_fields = ("school",)
    state_fields = ("status", "challenge_reason", "challenged_at")
    inlines = [PartnershipStateChangeInline]


@admin.register(PartnershipStateChange)
class PartnershipStateChangeAdmin(HistoryAdmin):
    list_display = ("partnership", "event", "from_status", "to_status", "changed_at", "actor_kind")
    list_select_related = ("partnership__school",)
