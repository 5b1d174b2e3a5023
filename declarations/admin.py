"""Declarations in the back office: read-only with their history, statement lines and attempts; finance
voids on a provider's behalf (one from the participant page, or several from the list) through the same
service as the API, and is told what happened to each, down to the statement a clawback waits on."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from config.actors import Actor
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from config.ids import parse_uuid
from declarations.models import Declaration, DeclarationAttempt, DeclarationStateChange
from declarations.ports import statement_ledger
from declarations.services import declaration_void


def _statement_link(statement_id, name):
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:statements_statement_change", args=[statement_id]), name
    )


def _clawback_line_of(declaration: Declaration):
    """The clawback line of a declaration whose paid money is being recovered, if any."""
    lines = statement_ledger().statement_lines(declaration=declaration)
    return next((line for line in lines if line.kind == "clawback"), None)


def void_outcome(declaration: Declaration) -> str:
    """What a void did to one declaration, in words (with a link to the clawback's statement)."""
    described = f"Declaration {declaration.pk} ({declaration.declaration_type}, {declaration.participant})"
    if declaration.state == Declaration.State.AWAITING_CLAWBACK:
        line = _clawback_line_of(declaration)
        return format_html(
            "{} was paid, so it is now awaiting clawback on {}.",
            described,
            _statement_link(line.statement_id, line.statement_name),
        )
    return f"{described} is voided."


def void_preview(declaration: Declaration) -> tuple[bool, str]:
    """(may go ahead, what will happen) for the confirmation page; the service decides in the end."""
    state = declaration.state
    if state == Declaration.State.VOIDED:
        return False, "This declaration is already voided."
    if state in Declaration.REFUNDABLE_STATES:
        return (
            False,
            f"This declaration is {declaration.wire_state}: a clawback is already under way or done.",
        )
    if state == Declaration.State.PAID:
        statement = statement_ledger().next_output_statement(
            lead_provider_id=declaration.lead_provider_id, cohort_id=declaration.cohort_id
        )
        if statement is None:
            return False, (
                f"This declaration is paid, and {declaration.lead_provider} has no open output statement for "
                f"cohort {declaration.cohort.start_year} to claw it back on."
            )
        return True, format_html(
            "It is paid: it will await clawback on {}, deducted when that statement is paid.",
            _statement_link(statement.pk, statement.label),
        )
    return True, f"It is {declaration.wire_state}: it will be voided and will not be paid."


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

    def get_urls(self):
        return [
            path(
                "<path:object_id>/void/",
                self.admin_site.admin_view(self.void_view),
                name="declarations_declaration_void",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pk = parse_uuid(object_id)
        declaration = Declaration.objects.filter(pk=pk).first() if pk else None
        extra = dict(extra_context or {})
        if declaration is not None and self.has_void_permission(request) and void_preview(declaration)[0]:
            extra["void_url"] = reverse("admin:declarations_declaration_void", args=[declaration.pk])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def void_view(self, request, object_id):
        """Void one declaration on its provider's behalf: a confirmation page, then the API's void service."""
        if not self.has_void_permission(request):
            raise PermissionDenied
        pk = parse_uuid(object_id)
        declaration = (
            Declaration.objects.select_related("participant", "lead_provider", "cohort").filter(pk=pk).first()
            if pk
            else None
        )
        if declaration is None:
            raise Http404("No such declaration.")
        back = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        back = back or reverse("admin:participants_participant_change", args=[declaration.participant_id])
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                declaration = declaration_void(
                    declaration=declaration, actor=Actor.staff(request.user), voided_by=request.user
                )
            except DomainError as error:
                self.message_user(
                    request,
                    f"Declaration {declaration.pk} was not voided: {error.detail} It may already have been voided: "
                    "check its state below and try again; if this keeps happening, contact the lead provider team.",
                    messages.WARNING,
                )
            else:
                self.message_user(request, void_outcome(declaration), messages.SUCCESS)
            return HttpResponseRedirect(back)
        allowed, outcome = void_preview(declaration)
        return TemplateResponse(
            request,
            "admin/declarations/declaration/void_one.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Void a declaration on {declaration.lead_provider}'s behalf",
                "opts": self.model._meta,
                "declaration": declaration,
                "allowed": allowed,
                "outcome": outcome,
                "back": back,
            },
        )

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
        voided, clawbacks, refused = 0, Counter(), []
        for declaration in declarations:
            try:
                declaration = declaration_void(
                    declaration=declaration, actor=Actor.staff(request.user), voided_by=request.user
                )
            except DomainError as error:
                refused.append(f"{declaration.pk}: {error.detail}")
                continue
            if declaration.state == Declaration.State.AWAITING_CLAWBACK:
                line = _clawback_line_of(declaration)
                clawbacks[(line.statement_id, line.statement_name)] += 1
            else:
                voided += 1
        if voided:
            self.message_user(
                request, f"{voided} declaration{'s' if voided != 1 else ''} voided.", messages.SUCCESS
            )
        for (statement_id, statement_name), count in clawbacks.items():
            self.message_user(
                request,
                format_html(
                    "{} paid declaration{} now awaiting clawback on {}.",
                    count,
                    " is" if count == 1 else "s are",
                    _statement_link(statement_id, statement_name),
                ),
                messages.SUCCESS,
            )
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
