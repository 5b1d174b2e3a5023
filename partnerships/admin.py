from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from config.actors import Actor
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from partnerships.models import (
    ApiRequest,
    ChallengeReason,
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
    SchoolQuerySet,
)
from partnerships.services import partnership_challenge, token_issue, token_revoke


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


class SchoolEligibilityFilter(admin.SimpleListFilter):
    """Funding status from the school register codes."""

    title = "funding status"
    parameter_name = "funding"

    def lookups(self, request, model_admin):
        return [("eligible", "Eligible"), ("cip_only", "CIP-only"), ("ineligible", "Not eligible")]

    def queryset(self, request, queryset):
        if self.value() == "eligible":
            return queryset.filter(SchoolQuerySet.eligible_q())
        if self.value() == "cip_only":
            return queryset.filter(SchoolQuerySet.cip_only_q())
        if self.value() == "ineligible":
            return queryset.exclude(SchoolQuerySet.eligible_q())
        return queryset


class SchoolPartnershipCohortFilter(admin.SimpleListFilter):
    """Schools with an unchallenged ordinary partnership in a cohort."""

    title = "partnered in cohort"
    parameter_name = "partnered_cohort"

    def lookups(self, request, model_admin):
        return [(str(c.pk), str(c.start_year)) for c in Cohort.objects.order_by("start_year")]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        partnered = Partnership.objects.filter(
            school=OuterRef("pk"), cohort_id=int(self.value()), relationship=False, status="active"
        )
        return queryset.filter(Exists(partnered))


class SchoolProviderFilter(admin.SimpleListFilter):
    """Schools partnered (unchallenged) with a lead provider in any cohort."""

    title = "partnered with lead provider"
    parameter_name = "partnered_provider"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.name) for p in LeadProvider.objects.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        partnered = Partnership.objects.filter(
            school=OuterRef("pk"), lead_provider_id=int(self.value()), relationship=False, status="active"
        )
        return queryset.filter(Exists(partnered))


class SchoolCohortInline(ReadOnlyInline):
    model = SchoolCohort
    fields = ("cohort", "induction_programme_choice", "default_programme", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class SchoolPartnershipInline(ReadOnlyInline):
    model = Partnership
    fields = ("cohort", "lead_provider", "delivery_partner", "status", "challenge_reason", "relationship")
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(School)
class SchoolAdmin(DomainAdmin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "urn",
        "school_type_code",
        "school_status_code",
        "administrative_district_code",
        "updated_at",
    )
    list_filter = (SchoolEligibilityFilter, SchoolPartnershipCohortFilter, SchoolProviderFilter)
    search_fields = ("name", "urn", "id")
    inlines = [SchoolCohortInline, SchoolPartnershipInline]


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
    fields = (
        "changed_at",
        "event",
        "from_status",
        "to_status",
        "from_delivery_partner",
        "to_delivery_partner",
        "reason",
        "actor_kind",
        "actor_id",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ChallengeForm(forms.Form):
    reason = forms.ChoiceField(choices=ChallengeReason.choices, label="The school's reason")


@admin.register(Partnership)
class PartnershipAdmin(DomainAdmin):
    """Partnerships change only through the API and the challenge action: nothing is edited here."""

    list_display = (
        "school",
        "lead_provider",
        "delivery_partner",
        "cohort",
        "status",
        "challenge_reason",
        "relationship",
        "created_at",
    )
    list_filter = ("cohort", "lead_provider", "status", "challenge_reason", "relationship")
    list_select_related = ("school", "lead_provider", "delivery_partner", "cohort")
    search_fields = ("school__name", "school__urn", "id")
    fields = (
        "id",
        "lead_provider",
        "school",
        "cohort",
        "delivery_partner",
        "relationship",
        "status",
        "challenge_reason",
        "challenged_at",
        "challenge_deadline",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    state_fields = ("status", "challenge_reason", "challenged_at")
    inlines = [PartnershipStateChangeInline]
    actions = ["challenge_on_behalf"]

    def has_add_permission(self, request):
        return False  # providers report partnerships through the API

    def has_challenge_permission(self, request):
        return request.user.has_perm("partnerships.challenge_partnership")

    @admin.action(
        description="Challenge selected partnerships on the school's behalf", permissions=["challenge"]
    )
    def challenge_on_behalf(self, request, queryset):
        """An intermediate page asks for the school's reason; then the challenge service runs for each."""
        partnerships = list(
            queryset.select_related("school", "lead_provider", "delivery_partner", "cohort").order_by(
                "created_at", "id"
            )
        )
        form = ChallengeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/partnerships/partnership/challenge.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Challenge partnerships",
                    "partnerships": partnerships,
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        done, refused = 0, []
        for partnership in partnerships:
            try:
                partnership_challenge(
                    partnership=partnership,
                    reason=form.cleaned_data["reason"],
                    actor=Actor.staff(request.user),
                )
                done += 1
            except DomainError as error:
                refused.append(f"{partnership}: {error.detail}")
        self.message_user(request, f"{done} challenged.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Unchanged: " + "; ".join(refused), messages.WARNING)
        return None


@admin.register(PartnershipStateChange)
class PartnershipStateChangeAdmin(HistoryAdmin):
    list_display = ("partnership", "event", "from_status", "to_status", "changed_at", "actor_kind")
    list_filter = ("event",)
    list_select_related = ("partnership__school", "partnership__lead_provider", "partnership__cohort")
