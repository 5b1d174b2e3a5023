"""Finance back office (06 §1–§3 with D6/D7): statements with their calculation, authorisation,
adjustments, the assurance report and a monthly chart. Actions call the same services as the commands.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from config.actors import Actor, acting_as
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from config.ids import parse_uuid
from statements.charts import monthly_totals_svg, points_from_series
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
from statements.presentation import breakdown, london_time
from statements.reports import assurance_csv_chunks, report_filename
from statements.selectors import statement_figures, statement_series, statement_with_relations
from statements.services import adjustments_editable, statement_authorise_and_pay, statement_can_authorise

ADJUSTMENT_PERMISSIONS = (
    "statements.add_adjustment",
    "statements.change_adjustment",
    "statements.delete_adjustment",
)


class SafeHistoryMixin:
    """simple-history's history page looks the id up unvalidated: a malformed id is a 404, never a 500."""

    def history_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(object_id)
        except (ValidationError, ValueError):
            raise Http404("No such object.") from None
        return super().history_view(request, object_id, extra_context=extra_context)


def _used_by_paid_statement(contract) -> bool:
    return contract.statements.filter(status=Statement.Status.PAID).exists()


class BandInline(ReadOnlyInline):
    model = ParticipantBand


@admin.register(CallOffContract)
class CallOffContractAdmin(SafeHistoryMixin, DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "cohort", "version", "recruitment_target", "monthly_service_fee")
    list_filter = ("cohort", "lead_provider")
    list_select_related = ("lead_provider", "cohort")
    inlines = [BandInline]

    def has_change_permission(self, request, obj=None):
        # D7: a contract a paid statement was paid with never changes; updates create a new version.
        if obj is not None and _used_by_paid_statement(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        with acting_as(Actor.staff(request.user)):
            super().save_model(request, obj, form, change)


@admin.register(MentorCallOffContract)
class MentorCallOffContractAdmin(SafeHistoryMixin, DomainAdmin, SimpleHistoryAdmin):
    list_display = ("lead_provider", "cohort", "version", "payment_per_participant")
    list_select_related = ("lead_provider", "cohort")

    def has_change_permission(self, request, obj=None):
        if obj is not None and _used_by_paid_statement(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        with acting_as(Actor.staff(request.user)):
            super().save_model(request, obj, form, change)


class StatementStateChangeInline(ReadOnlyInline):
    model = StatementStateChange


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = Adjustment
        fields = ("payment_type", "amount")

    NAME_MESSAGE = "Enter a name for the adjustment."
    AMOUNT_MESSAGE = "Enter the amount to be paid (a number other than 0)."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_type"].error_messages["required"] = self.NAME_MESSAGE
        for key in ("required", "invalid"):
            self.fields["amount"].error_messages[key] = self.AMOUNT_MESSAGE

    def clean_payment_type(self):
        value = " ".join((self.cleaned_data.get("payment_type") or "").split())
        if not value:
            raise forms.ValidationError(self.NAME_MESSAGE)
        return value

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None or amount == 0:
            raise forms.ValidationError(self.AMOUNT_MESSAGE)
        return amount


class AdjustmentInline(admin.TabularInline):
    """06 §3.4: editable only while the statement is an unpaid, unauthorised output statement."""

    model = Adjustment
    form = AdjustmentForm
    extra = 0
    fields = ("payment_type", "amount")

    def _editable(self, request, obj, permission):
        return obj is not None and adjustments_editable(obj) and request.user.has_perm(permission)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj, "statements.add_adjustment")

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj, "statements.change_adjustment")

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj, "statements.delete_adjustment")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("statements.view_adjustment") or super().has_view_permission(
            request, obj
        )


class StatementMonthFilter(admin.SimpleListFilter):
    title = "statement month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = Statement.objects.order_by("year", "month").values_list("year", "month").distinct()
        return [(f"{year}-{month:02d}", Statement(year=year, month=month).name) for year, month in months]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            year, month = (int(part) for part in value.split("-"))
        except ValueError:
            return queryset.none()
        return queryset.filter(year=year, month=month)


@admin.register(Statement)
class StatementAdmin(SafeHistoryMixin, SimpleHistoryAdmin):
    change_form_template = "admin/statements/statement/change_form.html"
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
    list_filter = ("lead_provider", "cohort", StatementMonthFilter, "status", "output_fee")
    list_select_related = ("lead_provider", "cohort")
    search_fields = ("lead_provider__name",)
    ordering = ("payment_date", "lead_provider__name")
    inlines = [AdjustmentInline, StatementStateChangeInline]

    # 06 §3.5: finance never edits statement fields; only adjustments (inline) change.
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Statement._meta.fields]

    def has_add_permission(self, request):
        return False  # statements come from import_statements (06 §5)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        if obj.status == Statement.Status.PAID:
            return False  # paid statements are read-only (D7)
        editable = adjustments_editable(obj) and any(request.user.has_perm(p) for p in ADJUSTMENT_PERMISSIONS)
        return editable or super().has_change_permission(request, obj)

    def get_object(self, request, object_id, from_field=None):
        pk = parse_uuid(object_id)
        return None if pk is None else statement_with_relations(pk)

    def save_model(self, request, obj, form, change):
        pass  # every statement field is read-only here

    def save_formset(self, request, form, formset, change):
        statement = Statement.objects.select_for_update().get(pk=form.instance.pk)
        if not adjustments_editable(statement):
            messages.error(
                request, "Adjustments can no longer be changed: the statement is authorised or paid."
            )
            return
        with acting_as(Actor.staff(request.user)):
            super().save_formset(request, form, formset, change)

    # ---------------------------------------------------------------------------------------------
    # Views
    # ---------------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("overview/", view(self.overview_view), name="statements_statement_overview"),
            path(
                "<path:object_id>/authorise/",
                view(self.authorise_view),
                name="statements_statement_authorise",
            ),
            path(
                "<path:object_id>/assurance-report/",
                view(self.assurance_report_view),
                name="statements_statement_assurance_report",
            ),
            path(
                "<path:object_id>/declarations/",
                view(self.declarations_view),
                name="statements_statement_declarations",
            ),
            *super().get_urls(),
        ]

    def _statement_or_404(self, request, object_id) -> Statement:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        statement = self.get_object(request, object_id)
        if statement is None:
            raise Http404("No such statement.")
        return statement

    def statement_context(self, request, statement: Statement) -> dict:
        calculation = statement_figures(statement)
        snapshot = StatementSnapshot.objects.filter(statement=statement).first()
        contract = statement.call_off_contract
        if snapshot is not None:
            contract = snapshot.call_off_contract
        context = breakdown(
            calculation,
            contract=contract,
            mentor_contract=statement.mentor_call_off_contract,
            bands=list(contract.bands.order_by("band")),
        )
        refusal = statement_can_authorise(statement)
        series = statement_series(lead_provider_id=statement.lead_provider_id, cohort_id=statement.cohort_id)
        context.update(
            {
                "statement": statement,
                "snapshot": snapshot,
                "can_authorise": refusal is None and request.user.has_perm("statements.authorise_statement"),
                "authorised_at": london_time(statement.marked_as_paid_at),
                "adjustments": [
                    {"payment_type": a.payment_type, "amount": a.amount}
                    for a in statement.adjustments.order_by("created_at", "pk")
                ],
                "chart": monthly_totals_svg(
                    points_from_series(series, highlight_id=statement.pk),
                    title=f"{statement.lead_provider} {statement.cohort.start_year}: monthly totals",
                ),
                "preview_lines": list(
                    StatementLineItem.objects.filter(statement=statement)
                    .select_related("declaration__participant")
                    .order_by("declaration__participant__full_name", "pk")[:20]
                ),
                "line_count": StatementLineItem.objects.filter(statement=statement).count(),
            }
        )
        from statements.money import format_gbp

        for adjustment in context["adjustments"]:
            adjustment["amount"] = format_gbp(adjustment["amount"])
        return context

    def change_view(self, request, object_id, form_url="", extra_context=None):
        statement = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if statement is not None and self.has_view_or_change_permission(request, statement):
            extra["breakdown"] = self.statement_context(request, statement)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def authorise_view(self, request, object_id):
        statement = self._statement_or_404(request, object_id)
        if not request.user.has_perm("statements.authorise_statement"):
            raise PermissionDenied
        change_url = reverse("admin:statements_statement_change", args=[statement.pk])
        refusal = statement_can_authorise(statement)
        if refusal:
            messages.error(request, f"This statement cannot be authorised for payment: {refusal}")
            return HttpResponseRedirect(change_url)
        error = None
        if request.method == "POST":
            if request.POST.get("assurance_checks_done") != "yes":
                error = "Confirm that all assurance checks have been done before authorising payment."
            else:
                try:
                    statement_authorise_and_pay(
                        statement_id=statement.pk, user=request.user, actor=Actor.staff(request.user)
                    )
                except DomainError as exc:
                    messages.error(request, f"Payment was not authorised: {exc.detail}")
                    return HttpResponseRedirect(change_url)
                messages.success(request, f"{statement} has been authorised for payment and paid.")
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Authorise {statement.lead_provider} {statement.name} for payment",
            "opts": self.model._meta,
            "statement": statement,
            "breakdown": breakdown(statement_figures(statement)),
            "error": error,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/statements/statement/authorise.html", context)

    def assurance_report_view(self, request, object_id):
        statement = self._statement_or_404(request, object_id)
        response = StreamingHttpResponse(assurance_csv_chunks(statement), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(statement)}"'
        return response

    def declarations_view(self, request, object_id):
        """06 §2.5: the declarations on a statement (any line item), optionally by state and course."""
        statement = self._statement_or_404(request, object_id)
        from declarations.models import Declaration

        declarations = (
            Declaration.objects.filter(statement_line_items__statement=statement)
            .select_related("participant")
            .distinct()
            .order_by("participant__full_name", "pk")
        )
        state = request.GET.get("state", "")
        course = request.GET.get("course", "")
        if state in Declaration.State.values:
            declarations = declarations.filter(state=state)
        if course in ("ecf-induction", "ecf-mentor"):
            declarations = declarations.filter(course_identifier=course)
        page = Paginator(declarations, 100).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Declarations on {statement.lead_provider} {statement.name}"
            + (f" ({state.replace('_', ' ')})" if state in Declaration.State.values else ""),
            "opts": self.model._meta,
            "statement": statement,
            "page": page,
            "state": state,
            "course": course,
            "change_url": reverse("admin:statements_statement_change", args=[statement.pk]),
        }
        return TemplateResponse(request, "admin/statements/statement/declarations.html", context)

    def overview_view(self, request):
        """Monthly totals of one provider and cohort, as a table and a chart."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        from partnerships.models import Cohort, LeadProvider

        providers = list(LeadProvider.objects.order_by("name"))
        cohorts = list(Cohort.objects.filter(start_year__gte=2021).order_by("start_year"))
        provider = next((p for p in providers if str(p.pk) == request.GET.get("lead_provider", "")), None)
        cohort = next((c for c in cohorts if str(c.start_year) == request.GET.get("cohort", "")), None)
        rows, chart = [], None
        if provider is not None and cohort is not None:
            from statements.money import format_gbp

            series = statement_series(lead_provider_id=provider.pk, cohort_id=cohort.pk)
            for statement, calculation in series:
                mentor = calculation.mentor
                rows.append(
                    {
                        "statement": statement,
                        "url": reverse("admin:statements_statement_change", args=[statement.pk]),
                        "output": format_gbp(calculation.output_fee + (mentor.output_fee if mentor else 0)),
                        "service": format_gbp(calculation.service_fee),
                        "clawbacks": format_gbp(
                            calculation.clawbacks_total + (mentor.clawbacks_total if mentor else 0)
                        ),
                        "total": format_gbp(calculation.total),
                    }
                )
            chart = monthly_totals_svg(
                points_from_series(series), title=f"{provider} {cohort.start_year}: monthly totals"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Statements overview",
            "opts": self.model._meta,
            "providers": providers,
            "cohorts": cohorts,
            "provider": provider,
            "cohort": cohort,
            "rows": rows,
            "chart": chart,
            "chosen": bool(request.GET),
        }
        return TemplateResponse(request, "admin/statements/statement/overview.html", context)

    def changelist_view(self, request, extra_context=None):
        extra = {"overview_url": reverse("admin:statements_statement_overview"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)


@admin.register(StatementLineItem)
class StatementLineItemAdmin(HistoryAdmin):
    list_display = ("statement", "declaration", "kind", "state")
    list_filter = ("kind", "state")
    list_select_related = ("statement__lead_provider", "statement__cohort", "declaration")


# Adjustments change only through the statement's inline, which knows when they are editable (06 §3.4).
admin.site.register(Adjustment, HistoryAdmin)


@admin.register(ParticipantBand)
class ParticipantBandAdmin(SafeHistoryMixin, DomainAdmin, SimpleHistoryAdmin):
    list_display = ("call_off_contract", "band", "min", "max", "per_participant")
    list_select_related = ("call_off_contract__lead_provider", "call_off_contract__cohort")

    def has_change_permission(self, request, obj=None):
        if obj is not None and _used_by_paid_statement(obj.call_off_contract):
            return False
        return super().has_change_permission(request, obj)


admin.site.register(StatementStateChange, HistoryAdmin)
admin.site.register(StatementSnapshot, HistoryAdmin)
