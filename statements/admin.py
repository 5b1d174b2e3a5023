"""Finance back office: statements with their calculation, authorisation, adjustments, the assurance
report, a monthly chart and an overview. Actions call the statements services and say what they did.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config import clock
from config.actors import Actor, acting_as
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from config.ids import parse_uuid
from statements.adjustments import adjustment_add, adjustment_change, adjustment_remove
from statements.admin_queries import (
    current_cohorts,
    current_statement,
    overview_grid,
    statement_by_month,
    statement_history,
    statement_months,
)
from statements.charts import payments_chart_svg, payments_table, points_from_series
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
from statements.money import format_gbp
from statements.presentation import LONDON, breakdown, london_time, statement_label
from statements.reports import assurance_csv_chunks, report_filename
from statements.selectors import statement_figures, statement_series, statement_with_relations
from statements.services import adjustments_editable, statement_authorise_and_pay, statement_can_authorise


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


class AdjustmentForm(forms.Form):
    """An additional adjustment: a name and a non-zero amount, negative allowed."""

    NAME_MESSAGE = "Enter a name for the adjustment."
    AMOUNT_MESSAGE = "Enter the amount to be paid (a number other than 0)."

    payment_type = forms.CharField(
        label="Name of the adjustment",
        max_length=Adjustment._meta.get_field("payment_type").max_length,
        required=False,
    )
    amount = forms.DecimalField(
        label="Amount (£, negative to deduct)", max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["invalid"] = self.AMOUNT_MESSAGE

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


class StatementMonthFilter(admin.SimpleListFilter):
    title = "statement month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        return [
            (f"{year}-{month:02d}", Statement(year=year, month=month).name)
            for year, month in statement_months()
        ]

    def queryset(self, request, queryset):
        month = _parse_month(self.value())
        if self.value() and month is None:
            return queryset.none()
        return queryset if month is None else queryset.filter(year=month[0], month=month[1])


def _parse_month(value) -> tuple[int, int] | None:
    """`2024-03` → (2024, 3); anything else → None."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
    except ValueError:
        return None
    return (year, month) if 1 <= month <= 12 else None


# Payable statements await a finance decision, open ones are still filling; paid ones are history.
STATUS_RANK = Case(
    When(status=Statement.Status.PAYABLE, then=Value(0)),
    When(status=Statement.Status.OPEN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def status_tag(statement: Statement):
    if statement.status == Statement.Status.PAYABLE and statement.marked_as_paid_at is not None:
        return format_html('<strong class="status-tag status-authorised">Authorised</strong>')
    return format_html(
        '<strong class="status-tag status-{}">{}</strong>', statement.status, statement.get_status_display()
    )


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Statements as finance reads them: a list, and a page per statement with its calculation, the
    actions finance may take and its history. Nothing here edits a statement's own fields."""

    list_display = ("statement", "status_tag", "lead_provider", "cohort", "cut_off", "payment", "authorised")
    list_display_links = ("statement",)
    list_filter = ("lead_provider", "cohort", "status", StatementMonthFilter, "output_fee")
    list_select_related = ("lead_provider", "cohort")
    search_fields = ("lead_provider__name",)
    list_per_page = 50

    @admin.display(description="Statement", ordering="payment_date")
    def statement(self, obj):
        return obj.name if obj.output_fee else f"{obj.name} (service fee only)"

    @admin.display(description="Status", ordering=STATUS_RANK)
    def status_tag(self, obj):
        return status_tag(obj)

    @admin.display(description="Cut off", ordering="deadline_date")
    def cut_off(self, obj):
        return f"{obj.deadline_date:%-d %b %Y}"

    @admin.display(description="Payment", ordering="payment_date")
    def payment(self, obj):
        return f"{obj.payment_date:%-d %b %Y}"

    @admin.display(description="Authorised", ordering="marked_as_paid_at")
    def authorised(self, obj):
        return f"{obj.marked_as_paid_at.astimezone(LONDON):%-d %b %Y}" if obj.marked_as_paid_at else "—"

    def get_ordering(self, request):
        return [STATUS_RANK.asc(), F("payment_date").desc(), "lead_provider__name", "pk"]

    def has_add_permission(self, request):
        return False  # statements come from import_statements (06 §5)

    def has_change_permission(self, request, obj=None):
        return False  # finance never edits a statement's own fields; the actions have their own permissions

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        pk = parse_uuid(object_id)
        return None if pk is None else statement_with_relations(pk)

    # ---------------------------------------------------------------------------------------------
    # URLs
    # ---------------------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        routes = [
            ("overview/", self.overview_view, "overview"),
            ("find/", self.find_view, "find"),
            ("<path:object_id>/authorise/", self.authorise_view, "authorise"),
            ("<path:object_id>/assurance-report/", self.assurance_report_view, "assurance_report"),
            ("<path:object_id>/declarations/", self.declarations_view, "declarations"),
            ("<path:object_id>/adjustments/add/", self.adjustment_add_view, "adjustment_add"),
            (
                "<path:object_id>/adjustments/<int:adjustment_id>/change/",
                self.adjustment_change_view,
                "adjustment_change",
            ),
            (
                "<path:object_id>/adjustments/<int:adjustment_id>/remove/",
                self.adjustment_remove_view,
                "adjustment_remove",
            ),
        ]
        return [
            *(
                path(route, view(handler), name=f"statements_statement_{name}")
                for route, handler, name in routes
            ),
            *super().get_urls(),
        ]

    def _statement_or_404(self, request, object_id) -> Statement:
        if not self.has_view_permission(request):
            raise PermissionDenied
        statement = self.get_object(request, object_id)
        if statement is None:
            raise Http404("No such statement.")
        return statement

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/statements/statement/{template}",
            {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **context},
        )

    @staticmethod
    def _statement_url(statement, anchor=""):
        return reverse("admin:statements_statement_change", args=[statement.pk]) + anchor

    # ---------------------------------------------------------------------------------------------
    # The list
    # ---------------------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        extra = {"title": "Statements", "selector": self.selector_context(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def selector_context(self, statement: Statement | None = None) -> dict:
        """The statement selector: provider, cohort (2021 on) and month."""
        from partnerships.models import Cohort, LeadProvider

        return {
            "providers": list(LeadProvider.objects.order_by("name")),
            "cohorts": list(Cohort.objects.filter(start_year__gte=2021).order_by("start_year")),
            "months": [
                (f"{year}-{month:02d}", Statement(year=year, month=month).name)
                for year, month in statement_months()
            ],
            "current": statement,
        }

    def find_view(self, request):
        """Opens the statement of the chosen provider, cohort and month; with only a provider (and cohort),
        its current statement."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:statements_statement_changelist")
        provider_id = request.GET.get("lead_provider", "")
        if not provider_id.isdigit():
            messages.error(request, "Choose a lead provider.")
            return HttpResponseRedirect(changelist)
        cohort_year = request.GET.get("cohort", "")
        from partnerships.models import Cohort

        cohort = Cohort.objects.filter(start_year=cohort_year).first() if cohort_year.isdigit() else None
        month = _parse_month(request.GET.get("month"))
        if cohort is not None and month is not None:
            found = statement_by_month(
                lead_provider_id=int(provider_id), cohort_id=cohort.pk, year=month[0], month=month[1]
            )
        else:
            found = current_statement(
                lead_provider_id=int(provider_id),
                cohort_id=cohort.pk if cohort else None,
                today=clock.today(),
            )
        if found is None:
            messages.warning(request, "No statement matches that lead provider, cohort and month.")
            return HttpResponseRedirect(changelist)
        return HttpResponseRedirect(self._statement_url(found))

    # ---------------------------------------------------------------------------------------------
    # The statement page
    # ---------------------------------------------------------------------------------------------

    def statement_context(self, request, statement: Statement) -> dict:
        calculation = statement_figures(statement)
        snapshot = (
            StatementSnapshot.objects.filter(statement=statement).select_related("call_off_contract").first()
        )
        contract = snapshot.call_off_contract if snapshot is not None else statement.call_off_contract
        context = breakdown(
            calculation,
            contract=contract,
            mentor_contract=statement.mentor_call_off_contract,
            bands=list(contract.bands.order_by("band")),
        )
        user = request.user
        editable = adjustments_editable(statement)
        may_change = editable and user.has_perm("statements.change_adjustment")
        may_remove = editable and user.has_perm("statements.delete_adjustment")
        series = statement_series(lead_provider_id=statement.lead_provider_id, cohort_id=statement.cohort_id)
        points = points_from_series(series, highlight_id=statement.pk, url_for=self._statement_url)
        chart_title = f"Payments by month: {statement.lead_provider}, cohort {statement.cohort.start_year}"
        lines = StatementLineItem.objects.filter(statement=statement)
        context.update(
            {
                "statement": statement,
                "snapshot": snapshot,
                "can_authorise": statement_can_authorise(statement) is None
                and user.has_perm("statements.authorise_statement"),
                "authorise_refusal": statement_can_authorise(statement),
                "authorised_at": london_time(statement.marked_as_paid_at),
                "adjustments_editable": editable,
                "can_add_adjustment": editable and user.has_perm("statements.add_adjustment"),
                "adjustments": [
                    {
                        "payment_type": adjustment.payment_type,
                        "amount": format_gbp(adjustment.amount),
                        "change_url": reverse(
                            "admin:statements_statement_adjustment_change", args=[statement.pk, adjustment.pk]
                        )
                        if may_change
                        else "",
                        "remove_url": reverse(
                            "admin:statements_statement_adjustment_remove", args=[statement.pk, adjustment.pk]
                        )
                        if may_remove
                        else "",
                    }
                    for adjustment in statement.adjustments.order_by("created_at", "pk")
                ],
                "chart": payments_chart_svg(points, title=chart_title, table_id="chart-figures"),
                "chart_table": payments_table(points, table_id="chart-figures", caption=chart_title),
                "history": statement_history(statement),
                "preview_lines": list(
                    lines.select_related("declaration__participant").order_by(
                        "declaration__participant__full_name", "pk"
                    )[:20]
                ),
                "line_count": lines.count(),
            }
        )
        return context

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The statement page is a view: GET only; every change has its own page and service."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        statement = self._statement_or_404(request, object_id)
        return self._page(
            request,
            "detail.html",
            f"{statement.lead_provider} – {statement.name}",
            subtitle=f"Cohort {statement.cohort.start_year}"
            + ("" if statement.output_fee else " · service fee only"),
            b=self.statement_context(request, statement),
            selector=self.selector_context(statement),
        )

    def history_view(self, request, object_id, extra_context=None):
        """One history per statement: on its page."""
        statement = self._statement_or_404(request, object_id)
        return HttpResponseRedirect(self._statement_url(statement, "#history"))

    # ---------------------------------------------------------------------------------------------
    # Authorise for payment
    # ---------------------------------------------------------------------------------------------

    def authorise_view(self, request, object_id):
        statement = self._statement_or_404(request, object_id)
        if not request.user.has_perm("statements.authorise_statement"):
            raise PermissionDenied
        change_url = self._statement_url(statement)
        refusal = statement_can_authorise(statement)
        if refusal:
            messages.error(
                request, f"{statement_label(statement)} cannot be authorised for payment: {refusal}"
            )
            return HttpResponseRedirect(change_url)
        error = None
        if request.method == "POST":
            if request.POST.get("assurance_checks_done") != "yes":
                error = "Confirm that all assurance checks have been done before authorising payment."
            else:
                try:
                    result = statement_authorise_and_pay(
                        statement_id=statement.pk, user=request.user, actor=Actor.staff(request.user)
                    )
                except DomainError as exc:
                    messages.error(request, f"Payment was not authorised: {exc.detail}")
                    return HttpResponseRedirect(change_url)
                total = (
                    StatementSnapshot.objects.filter(statement=statement)
                    .values_list("total", flat=True)
                    .first()
                )
                messages.success(
                    request,
                    f"{statement_label(statement)} is authorised for payment and paid"
                    + (f" ({format_gbp(total)})" if total is not None else "")
                    + f": {_count(result.declarations_moved, 'declaration')} paid, "
                    f"{_count(result.clawbacks_moved, 'clawback')} completed.",
                )
                return HttpResponseRedirect(change_url)
        return self._page(
            request,
            "authorise.html",
            f"Authorise {statement.lead_provider} {statement.name} for payment",
            statement=statement,
            breakdown=breakdown(statement_figures(statement)),
            error=error,
            change_url=change_url,
        )

    # ---------------------------------------------------------------------------------------------
    # Additional adjustments: add or change → check → confirm; remove → confirm
    # ---------------------------------------------------------------------------------------------

    def _adjustment_target(self, request, object_id, permission, adjustment_id=None):
        """The statement (and adjustment), or a redirect to the statement when adjustments are locked."""
        statement = self._statement_or_404(request, object_id)
        if not request.user.has_perm(permission):
            raise PermissionDenied
        adjustment = None
        if adjustment_id is not None:
            adjustment = Adjustment.objects.filter(pk=adjustment_id, statement=statement).first()
            if adjustment is None:
                raise Http404("No such adjustment on this statement.")
        if not adjustments_editable(statement):
            messages.error(
                request,
                f"Adjustments on {statement_label(statement)} can no longer change: "
                "only an output statement that is not authorised or paid takes adjustments.",
            )
            return statement, adjustment, HttpResponseRedirect(self._statement_url(statement))
        return statement, adjustment, None

    def _adjustment_form_flow(self, request, statement, adjustment, save):
        """Details, then "check your answers", then `save(payment_type, amount)` on confirmation."""
        initial = (
            {"payment_type": adjustment.payment_type, "amount": adjustment.amount} if adjustment else None
        )
        form = AdjustmentForm(request.POST or None, initial=initial)
        checking = False
        if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
            if request.POST.get("confirm") == "yes":
                try:
                    message = save(form.cleaned_data["payment_type"], form.cleaned_data["amount"])
                except DomainError as error:
                    messages.error(request, error.detail)
                else:
                    messages.success(request, message)
                return HttpResponseRedirect(self._statement_url(statement, "#additional-adjustments"))
            checking = True
        verb = "Change" if adjustment else "Add"
        return self._page(
            request,
            "adjustment_form.html",
            f"{verb} an adjustment on {statement.lead_provider} {statement.name}",
            statement=statement,
            adjustment=adjustment,
            form=form,
            checking=checking,
            amount_shown=format_gbp(form.cleaned_data["amount"]) if checking else "",
            change_url=self._statement_url(statement),
        )

    def adjustment_add_view(self, request, object_id):
        statement, _, redirect = self._adjustment_target(request, object_id, "statements.add_adjustment")
        if redirect:
            return redirect

        def save(payment_type, amount):
            adjustment_add(
                statement_id=statement.pk,
                payment_type=payment_type,
                amount=amount,
                actor=Actor.staff(request.user),
            )
            return (
                f"Added adjustment “{payment_type}” of {format_gbp(amount)} to {statement_label(statement)}."
            )

        return self._adjustment_form_flow(request, statement, None, save)

    def adjustment_change_view(self, request, object_id, adjustment_id):
        statement, adjustment, redirect = self._adjustment_target(
            request, object_id, "statements.change_adjustment", adjustment_id
        )
        if redirect:
            return redirect

        def save(payment_type, amount):
            before, after = adjustment_change(
                adjustment_id=adjustment.pk,
                payment_type=payment_type,
                amount=amount,
                actor=Actor.staff(request.user),
            )
            return (
                f"Changed adjustment “{before.payment_type}” of {format_gbp(before.amount)} to "
                f"“{after.payment_type}” of {format_gbp(after.amount)} on {statement_label(statement)}."
            )

        return self._adjustment_form_flow(request, statement, adjustment, save)

    def adjustment_remove_view(self, request, object_id, adjustment_id):
        statement, adjustment, redirect = self._adjustment_target(
            request, object_id, "statements.delete_adjustment", adjustment_id
        )
        if redirect:
            return redirect
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                removed = adjustment_remove(adjustment_id=adjustment.pk, actor=Actor.staff(request.user))
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                messages.success(
                    request,
                    f"Removed adjustment “{removed.payment_type}” of {format_gbp(removed.amount)} "
                    f"from {statement_label(statement)}.",
                )
            return HttpResponseRedirect(self._statement_url(statement, "#additional-adjustments"))
        return self._page(
            request,
            "adjustment_remove.html",
            f"Remove an adjustment from {statement.lead_provider} {statement.name}",
            statement=statement,
            adjustment=adjustment,
            amount_shown=format_gbp(adjustment.amount),
            change_url=self._statement_url(statement),
        )

    # ---------------------------------------------------------------------------------------------
    # The declarations CSV and the declarations on a statement
    # ---------------------------------------------------------------------------------------------

    def assurance_report_view(self, request, object_id):
        statement = self._statement_or_404(request, object_id)
        response = StreamingHttpResponse(assurance_csv_chunks(statement), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(statement)}"'
        return response

    def declarations_view(self, request, object_id):
        """The declarations on a statement (any line item), optionally by state and course."""
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
        return self._page(
            request,
            "declarations.html",
            f"Declarations on {statement.lead_provider} {statement.name}"
            + (f" ({state.replace('_', ' ')})" if state in Declaration.State.values else ""),
            statement=statement,
            page=page,
            state=state,
            course=course,
            change_url=self._statement_url(statement),
        )

    # ---------------------------------------------------------------------------------------------
    # Overview: providers × current cohorts, and one provider and cohort month by month
    # ---------------------------------------------------------------------------------------------

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        from partnerships.models import Cohort, LeadProvider

        providers = list(LeadProvider.objects.order_by("name"))
        cohorts = list(Cohort.objects.filter(start_year__gte=2021).order_by("start_year"))
        provider = next((p for p in providers if str(p.pk) == request.GET.get("lead_provider", "")), None)
        cohort = next((c for c in cohorts if str(c.start_year) == request.GET.get("cohort", "")), None)
        shown_cohorts = current_cohorts()
        context = {
            "providers": providers,
            "cohorts": cohorts,
            "provider": provider,
            "cohort": cohort,
            "chosen": bool(request.GET),
            "current_cohorts": shown_cohorts,
            "grid": overview_grid(cohorts=shown_cohorts, today=clock.today()),
        }
        title = "Statements overview"
        if provider is not None and cohort is not None:
            series = statement_series(lead_provider_id=provider.pk, cohort_id=cohort.pk)
            points = points_from_series(series, url_for=self._statement_url)
            chart_title = f"Payments by month: {provider}, cohort {cohort.start_year}"
            title = f"{provider}: cohort {cohort.start_year}"
            context.update(
                {
                    "points": points,
                    "chart": payments_chart_svg(points, title=chart_title, table_id="chart-figures"),
                    "chart_table": payments_table(points, table_id="chart-figures", caption=chart_title),
                }
            )
        return self._page(request, "overview.html", title, **context)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@admin.register(StatementLineItem)
class StatementLineItemAdmin(HistoryAdmin):
    list_display = ("statement", "declaration", "kind", "state")
    list_filter = ("kind", "state")
    list_select_related = ("statement__lead_provider", "statement__cohort", "declaration")


# Adjustments change only through the statement page's add, change and remove pages, which know when they
# may change.
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
