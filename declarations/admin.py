from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join

from config.actors import Actor
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from declarations.ports import statement_ledger
from declarations.services import declaration_void


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
    readonly_fields = ("statement_lines",)
    actions = ["void_on_behalf"]

    @admin.display(description="Statement lines")
    def statement_lines(self, declaration):
        """The statements the declaration's money sits on (its output line, and a clawback line)."""
        lines = statement_ledger().statement_lines(declaration=declaration)
        if not lines:
            return "None"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a>: {} line, {}</div>',
            (
                (
                    reverse("admin:statements_statement_change", args=[line.statement_id]),
                    line.statement_name,
                    line.kind,
                    line.state,
                )
                for line in lines
            ),
        )

    def has_add_permission(self, request):
        return False  # declarations come only from providers

    def has_change_permission(self, request, obj=None):
        return False

    def has_void_permission(self, request):
        return request.user.has_perm("declarations.void_declaration")

    @admin.action(description="Void selected declarations on the provider's behalf", permissions=["void"])
    def void_on_behalf(self, request, queryset):
        """Confirmation page first; then the API's void service for each, recording the finance user."""
        declarations = list(
            queryset.select_related("lead_provider", "participant").order_by("created_at", "id")
        )
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/declarations/declaration/void_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Void declarations",
                    "declarations": declarations,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        done, refused = 0, []
        for declaration in declarations:
            try:
                declaration_void(
                    declaration=declaration, actor=Actor.staff(request.user), voided_by=request.user
                )
                done += 1
            except DomainError as error:
                refused.append(f"{declaration.pk}: {error.detail}")
        self.message_user(request, f"{done} voided.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Unchanged: " + "; ".join(refused), messages.WARNING)
        return None


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
