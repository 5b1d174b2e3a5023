"""Staff screens for participants: search, history, and finance acting on a provider's behalf (06, 07 §4)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from config.actors import Actor
from config.admin import DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from participants.models import (
    DeferReason,
    EligibilityChange,
    EligibilityReason,
    EligibilityStatus,
    InductionRecord,
    Milestone,
    Participant,
    ParticipantIdChange,
    Schedule,
    ScheduleChange,
    TrainingRecord,
    TrainingStatusChange,
    WithdrawReason,
)
from participants.selectors import training_record_lead_providers
from participants.services import (
    participant_set_eligibility,
    participant_touch,
    training_record_change_training_status,
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


def _table(headers, rows):
    if not rows:
        return format_html("<p>{}</p>", "None.")
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _stamp(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def induction_history(record: TrainingRecord):
    rows = [
        (
            _stamp(ir.start_date),
            _stamp(ir.end_date),
            ir.induction_programme.school_cohort.school.urn,
            ir.induction_programme.partnership.lead_provider.name
            if ir.induction_programme.partnership
            else "—",
            ir.schedule.schedule_identifier,
            ir.training_status,
            ir.induction_status,
        )
        for ir in record.induction_records.select_related(
            "induction_programme__school_cohort__school",
            "induction_programme__partnership__lead_provider",
            "schedule",
        ).order_by("start_date", "created_at")
    ]
    return _table(("Start", "End", "School URN", "Lead provider", "Schedule", "Training", "Induction"), rows)


def state_history(record: TrainingRecord):
    rows = [
        (
            _stamp(c.changed_at),
            c.lead_provider.name,
            f"{c.from_status} → {c.to_status}",
            c.reason or "—",
            c.actor_kind,
        )
        for c in record.training_status_changes.select_related("lead_provider").order_by("changed_at", "id")
    ]
    rows += [
        (
            _stamp(c.changed_at),
            c.lead_provider.name,
            f"schedule {c.from_schedule.schedule_identifier} → {c.to_schedule.schedule_identifier}",
            "—",
            c.actor_kind,
        )
        for c in record.schedule_changes.select_related("lead_provider", "from_schedule", "to_schedule")
    ]
    rows += [
        (
            _stamp(c.changed_at),
            "DfE",
            f"eligibility {c.from_status} → {c.to_status}",
            c.to_reason or "—",
            c.actor_kind,
        )
        for c in record.eligibility_changes.all()
    ]
    rows.sort(key=lambda row: row[0])
    return _table(("When", "By / for", "Change", "Reason", "Actor"), rows)


def declarations_table(record: TrainingRecord):
    """Read-only, through the reverse relation (participants never imports declarations)."""
    rows = [
        (str(d.pk), d.declaration_type, _stamp(d.declaration_date), d.state, d.lead_provider.name)
        for d in record.declarations.select_related("lead_provider").order_by(
            "declaration_date", "created_at"
        )
    ]
    return _table(("Id", "Type", "Date", "State", "Lead provider"), rows)


@admin.register(Participant)
class ParticipantAdmin(DomainAdmin):
    list_display = ("full_name", "email", "trn", "created_at", "updated_at")
    search_fields = ("full_name", "email", "trn")
    inlines = [TrainingRecordInline, IdChangeInline]
    readonly_fields = ("training_overview",)

    def get_search_results(self, request, queryset, search_term):
        """Name, email and TRN by substring; a participant, training record or retired id exactly."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        try:
            import uuid

            pk = uuid.UUID(term)
        except ValueError:
            return queryset, may_have_duplicates
        exact = self.model.objects.filter(
            Q(pk=pk) | Q(training_records__pk=pk) | Q(id_changes__from_participant_id=pk)
        )
        return queryset | exact, True

    @admin.display(description="Training records, induction history, state history and declarations")
    def training_overview(self, participant):
        if participant is None or participant.pk is None:
            return "—"
        sections = []
        for record in participant.training_records.select_related("schedule__cohort").order_by("created_at"):
            url = reverse("admin:participants_trainingrecord_change", args=[record.pk])
            sections.append(
                format_html(
                    '<h3><a href="{}">{} record {}</a> — {} ({}), eligibility {} / {}</h3>'
                    "<h4>Induction history</h4>{}<h4>State history</h4>{}<h4>Declarations</h4>{}",
                    url,
                    record.participant_type,
                    record.pk,
                    record.schedule.schedule_identifier,
                    record.schedule.cohort.start_year,
                    record.eligibility_status or "—",
                    record.eligibility_reason or "—",
                    induction_history(record),
                    state_history(record),
                    declarations_table(record),
                )
            )
        return format_html_join("", "{}", ((section,) for section in sections)) if sections else "—"


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


REASON_CHOICES = [
    ("", "—"),
    ("Defer", [(value, value) for value in DeferReason.values]),
    ("Withdraw", [(value, value) for value in WithdrawReason.values]),
]


class TrainingStatusForm(forms.Form):
    lead_provider = forms.ModelChoiceField(queryset=None, help_text="The provider on whose behalf DfE acts.")
    action = forms.ChoiceField(choices=[("defer", "Defer"), ("resume", "Resume"), ("withdraw", "Withdraw")])
    reason = forms.ChoiceField(
        choices=REASON_CHOICES, required=False, help_text="Required to defer or withdraw."
    )

    def __init__(self, *args, record: TrainingRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_provider"].queryset = training_record_lead_providers(training_record=record)


class EligibilityForm(forms.Form):
    status = forms.ChoiceField(choices=EligibilityStatus.choices)
    reason = forms.ChoiceField(
        choices=[("", "—"), *EligibilityReason.choices],
        required=False,
        help_text="Required for ineligible and manual check.",
    )


@admin.register(TrainingRecord)
class TrainingRecordAdmin(DomainAdmin):
    list_display = ("participant", "participant_type", "schedule", "eligibility_status", "record_status")
    list_filter = ("participant_type", "eligibility_status", "schedule__cohort")
    list_select_related = ("participant", "schedule__cohort")
    search_fields = ("participant__full_name", "participant__trn", "participant__email")
    raw_id_fields = ("participant", "school_cohort", "schedule")
    state_fields = (
        "eligibility_status",
        "eligibility_reason",
        "schedule",
        "cohort_changed_after_payments_frozen",
    )
    readonly_fields = ("staff_actions", "declarations")
    inlines = [
        InductionRecordInline,
        TrainingStatusChangeInline,
        EligibilityChangeInline,
        ScheduleChangeInline,
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            import uuid

            pk = uuid.UUID(search_term.strip())
        except ValueError:
            return queryset, may_have_duplicates
        return queryset | self.model.objects.filter(Q(pk=pk) | Q(participant_id=pk)), may_have_duplicates

    def get_urls(self):
        return [
            path(
                "<path:object_id>/training-status/",
                self.admin_site.admin_view(self.training_status_view),
                name="participants_trainingrecord_training_status",
            ),
            path(
                "<path:object_id>/eligibility/",
                self.admin_site.admin_view(self.eligibility_view),
                name="participants_trainingrecord_eligibility",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        """The touch rule (07 §0): an edited record surfaces in providers' `updated_since` polls."""
        before = TrainingRecord.objects.filter(pk=obj.pk).values_list("participant_id", flat=True).first()
        super().save_model(request, obj, form, change)
        for participant_id in {before, obj.participant_id} - {None}:
            participant_touch(participant_id)

    @admin.display(description="Finance actions")
    def staff_actions(self, record):
        if record is None or record.pk is None:
            return "—"
        return format_html(
            '<a class="button" href="{}">Change training status</a> <a class="button" href="{}">Set eligibility</a>',
            reverse("admin:participants_trainingrecord_training_status", args=[record.pk]),
            reverse("admin:participants_trainingrecord_eligibility", args=[record.pk]),
        )

    @admin.display(description="Declarations (read-only)")
    def declarations(self, record):
        return declarations_table(record) if record is not None and record.pk else "—"

    def _form_page(self, request, record, form, title):
        return TemplateResponse(
            request,
            "admin/participants/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "record": record,
                "opts": self.model._meta,
            },
        )

    def _done(self, record):
        return HttpResponseRedirect(reverse("admin:participants_trainingrecord_change", args=[record.pk]))

    def training_status_view(self, request, object_id):
        if not request.user.has_perm("participants.change_training_status"):
            raise PermissionDenied
        record = get_object_or_404(TrainingRecord, pk=object_id)
        form = TrainingStatusForm(request.POST or None, record=record)
        if request.method == "POST" and form.is_valid():
            try:
                training_record_change_training_status(
                    training_record=record,
                    lead_provider=form.cleaned_data["lead_provider"],
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"] or None,
                    actor=Actor.staff(request.user),
                )
            except DomainError as error:
                self.message_user(request, f"Unchanged: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, "Training status changed.", messages.SUCCESS)
                return self._done(record)
        return self._form_page(request, record, form, "Change training status")

    def eligibility_view(self, request, object_id):
        if not request.user.has_perm("participants.change_eligibility"):
            raise PermissionDenied
        record = get_object_or_404(TrainingRecord, pk=object_id)
        form = EligibilityForm(
            request.POST or None,
            initial={"status": record.eligibility_status, "reason": record.eligibility_reason},
        )
        if request.method == "POST" and form.is_valid():
            try:
                participant_set_eligibility(
                    training_record=record,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"] or None,
                    actor=Actor.staff(request.user),
                )
            except DomainError as error:
                self.message_user(request, f"Unchanged: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, "Eligibility recorded.", messages.SUCCESS)
                return self._done(record)
        return self._form_page(request, record, form, "Set eligibility")


@admin.register(InductionRecord)
class InductionRecordAdmin(DomainAdmin):
    list_display = ("training_record", "start_date", "end_date", "training_status", "induction_status")
    list_filter = ("training_status", "induction_status")
    list_select_related = ("training_record__participant",)
    raw_id_fields = ("training_record", "induction_programme", "schedule", "mentor")
    state_fields = ("training_status",)

    def save_model(self, request, obj, form, change):
        """The touch rule (07 §0): an edited record surfaces in providers' `updated_since` polls."""
        before = (
            InductionRecord.objects.filter(pk=obj.pk)
            .values_list("training_record__participant_id", flat=True)
            .first()
        )
        super().save_model(request, obj, form, change)
        after = TrainingRecord.objects.filter(pk=obj.training_record_id).values_list(
            "participant_id", flat=True
        )
        for participant_id in {before, *after} - {None}:
            participant_touch(participant_id)


for history_model in (TrainingStatusChange, EligibilityChange, ScheduleChange):
    admin.site.register(history_model, HistoryAdmin)
