"""Staff screens for participants: search, the participant page, people sharing a TRN, and finance acting on
a provider's behalf through the participants services."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.actors import Actor
from config.admin import ActorNames, DomainAdmin, HistoryAdmin, ReadOnlyInline
from config.errors import DomainError
from config.ids import parse_uuid
from participants.admin_queries import (
    duplicate_groups,
    duplicate_trns,
    participant_for_support,
    participant_search_list,
)
from participants.models import (
    LEGACY_WITHDRAW_REASON,
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
    TrainingStatus,
    TrainingStatusChange,
    WithdrawReason,
)
from participants.selectors import relevant_induction_record, training_record_lead_providers
from participants.services import (
    participant_merge,
    participant_merge_plan,
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


TYPE_LABELS = {TrainingRecord.Type.ECT: "ECT", TrainingRecord.Type.MENTOR: "Mentor"}


def _shown_reason(reason):
    return WithdrawReason.SWITCHED_TO_SCHOOL_LED if reason == LEGACY_WITHDRAW_REASON else reason


def _lead_provider_of(induction_record: InductionRecord):
    partnership = induction_record.induction_programme.partnership
    return partnership.lead_provider if partnership is not None else None


def _declaration_rows(record: TrainingRecord, *, names: ActorNames, user, next_url: str) -> list[dict]:
    """Each declaration with its state history and statement lines; "Void" where a finance user may try."""
    may_void = user.has_perm("declarations.void_declaration")
    may_see_statements = user.has_perm("statements.view_statement")
    rows = []
    for declaration in sorted(record.declarations.all(), key=lambda d: (d.declaration_date, d.created_at)):
        voidable = declaration.state not in ("voided", "awaiting_clawback", "clawed_back")
        rows.append(
            {
                "declaration": declaration,
                "state": declaration.state.replace("_", "-"),
                "history": [
                    {
                        "at": change.changed_at,
                        "state": change.to_state.replace("_", "-"),
                        "reason": change.reason or "N/A",
                        "who": names(change.actor_kind, change.actor_id),
                    }
                    for change in declaration.state_changes.all()
                ],
                "lines": [
                    {
                        "statement": line.statement,
                        "kind": line.kind,
                        "state": line.state.replace("_", "-"),
                        "url": reverse("admin:statements_statement_change", args=[line.statement_id])
                        if may_see_statements
                        else "",
                    }
                    for line in declaration.statement_line_items.all()
                ],
                "void_url": reverse("admin:declarations_declaration_void", args=[declaration.pk])
                + "?"
                + urlencode({"next": next_url})
                if may_void and voidable
                else "",
            }
        )
    return rows


def participant_page_context(participant: Participant, user) -> dict:
    """What the participant page shows, from the one prefetched read."""
    records = list(participant.training_records.all())
    id_changes = list(participant.id_changes.all())
    names = ActorNames(
        [(change.actor_kind, change.actor_id) for change in id_changes]
        + [
            (change.actor_kind, change.actor_id)
            for record in records
            for changes in (
                record.training_status_changes.all(),
                record.eligibility_changes.all(),
                record.schedule_changes.all(),
                *(d.state_changes.all() for d in record.declarations.all()),
            )
            for change in changes
        ]
    )
    page_url = reverse("admin:participants_participant_change", args=[participant.pk])
    may_change_status = user.has_perm("participants.change_training_status")
    shown = []
    for record in records:
        inductions = []
        for induction in record.induction_records.all():
            provider = _lead_provider_of(induction)
            latest = provider is not None and induction.latest_with_provider_id == induction.pk
            inductions.append(
                {
                    "record": induction,
                    "lead_provider": provider,
                    "delivery_partner": induction.induction_programme.partnership.delivery_partner
                    if provider
                    else None,
                    "school": induction.induction_programme.school_cohort.school,
                    "latest_with_provider": latest,
                    "change_url": reverse(
                        "admin:participants_trainingrecord_training_status", args=[record.pk]
                    )
                    + "?"
                    + urlencode({"lead_provider": provider.pk})
                    if latest and may_change_status
                    else "",
                }
            )
        shown.append(
            {
                "record": record,
                "type_label": TYPE_LABELS[record.participant_type],
                "course": record.course_identifier,
                "eligible_for_funding": record.is_fundable,
                "inductions": inductions,
                "status_changes": [
                    {
                        "at": change.changed_at,
                        "lead_provider": change.lead_provider,
                        "from": change.from_status or "—",
                        "to": change.to_status,
                        "reason": _shown_reason(change.reason) or "—",
                        "who": names(change.actor_kind, change.actor_id),
                    }
                    for change in record.training_status_changes.all()
                ],
                "schedule_changes": [
                    {
                        "at": change.changed_at,
                        "lead_provider": change.lead_provider,
                        "from": change.from_schedule.schedule_identifier,
                        "to": change.to_schedule.schedule_identifier,
                        "who": names(change.actor_kind, change.actor_id),
                    }
                    for change in record.schedule_changes.all()
                ],
                "eligibility_changes": [
                    {
                        "at": change.changed_at,
                        "from": change.from_status or "none",
                        "to": change.to_status or "none",
                        "reason": change.to_reason or "—",
                        "who": names(change.actor_kind, change.actor_id),
                    }
                    for change in record.eligibility_changes.all()
                ],
                "declarations": _declaration_rows(record, names=names, user=user, next_url=page_url),
                "eligibility_url": reverse("admin:participants_trainingrecord_eligibility", args=[record.pk])
                if user.has_perm("participants.change_eligibility")
                else "",
            }
        )
    return {
        "participant": participant,
        "retired_ids": [
            {
                "change": change,
                "who": names(change.actor_kind, change.actor_id) if change.actor_kind else "",
            }
            for change in id_changes
        ],
        "records": shown,
    }


@admin.register(Participant)
class ParticipantAdmin(DomainAdmin):
    """Search (by participant, retired, training record or declaration id, TRN, email or name) and a page per
    person showing everything support and finance look at, with the actions finance may take."""

    change_list_template = "admin/participants/participant/change_list.html"
    list_display = ("full_name", "email", "trn", "id", "records")
    search_fields = ("full_name", "email", "trn")
    search_help_text = (
        "Participant id (also a retired one), training record id, declaration id, TRN, email or name."
    )
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # people arrive through school registration, not the back office

    def has_change_permission(self, request, obj=None):
        return False  # the page is a view; training status and eligibility have their own actions

    def get_queryset(self, request):
        return participant_search_list(super().get_queryset(request))

    @admin.display(description="Training records")
    def records(self, participant):
        return ", ".join(
            f"{TYPE_LABELS[record.participant_type]} {record.schedule.cohort.start_year}"
            + ("" if record.record_status == TrainingRecord.RecordStatus.ACTIVE else " (withdrawn)")
            for record in participant.training_records.all()
        )

    def get_search_results(self, request, queryset, search_term):
        """Name, email and TRN by substring; a participant, retired, training record or declaration id exactly."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_uuid(search_term.strip())
        if pk is None:
            return queryset, may_have_duplicates
        exact = self.model.objects.filter(
            Q(pk=pk)
            | Q(training_records__pk=pk)
            | Q(id_changes__from_participant_id=pk)
            | Q(declarations__pk=pk)
        )
        return queryset | exact, True

    def changelist_view(self, request, extra_context=None):
        extra = {
            "title": "Search participants",
            "duplicates_url": reverse("admin:participants_participant_duplicates"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    def get_urls(self):
        return [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="participants_participant_duplicates",
            ),
            path(
                "<path:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="participants_participant_merge",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The participant page is a view (GET only); actions have their own pages."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = parse_uuid(object_id)
        participant = participant_for_support(pk) if pk is not None else None
        if participant is None:
            raise Http404("No such participant.")
        return TemplateResponse(
            request,
            "admin/participants/participant/detail.html",
            {
                **self.admin_site.each_context(request),
                "title": participant.full_name,
                "subtitle": f"Participant {participant.pk}",
                "opts": self.model._meta,
                **participant_page_context(participant, request.user),
                "merge_url": reverse("admin:participants_participant_merge", args=[participant.pk])
                if request.user.has_perm("participants.merge_participant")
                else "",
            },
        )

    def merge_view(self, request, object_id):
        """Merge this person (retired) into another (the survivor, `into`): GET shows what will move or why
        it cannot, POST merges through `participant_merge`."""
        if not request.user.has_perm("participants.merge_participant"):
            raise PermissionDenied
        retired = Participant.objects.filter(pk=parse_uuid(object_id)).first()
        if retired is None:
            earlier = ParticipantIdChange.objects.filter(from_participant_id=parse_uuid(object_id)).first()
            if earlier is None:
                raise Http404("No such participant.")
            # A second submit of a merge that was made: say so and show the person kept.
            self.message_user(
                request, f"{earlier.from_participant_id} is already merged into this person.", messages.INFO
            )
            return HttpResponseRedirect(
                reverse("admin:participants_participant_change", args=[earlier.participant_id])
            )
        into = (request.POST.get("into") or request.GET.get("into") or "").strip()
        survivor = Participant.objects.filter(pk=parse_uuid(into)).first() if into else None
        plan = participant_merge_plan(retired=retired, survivor=survivor) if survivor else None
        if request.method == "POST" and survivor is not None:
            try:
                change = participant_merge(
                    retired_id=retired.pk, survivor_id=survivor.pk, actor=Actor.staff(request.user)
                )
            except DomainError as error:
                self.message_user(request, f"Not merged: {error.detail}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{change.from_full_name} ({change.from_participant_id}) is merged into {survivor}: "
                    f"their {len(plan.moving_records)} training record(s) and declarations now belong to "
                    f"{survivor}. Providers find this person with "
                    f"filter[from_participant_id]={change.from_participant_id}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:participants_participant_change", args=[survivor.pk])
                )
        candidates = (
            Participant.objects.filter(trn=retired.trn).exclude(pk=retired.pk).order_by("created_at", "id")
            if retired.trn
            else Participant.objects.none()
        )
        return TemplateResponse(
            request,
            "admin/participants/participant/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Merge {retired} into another person",
                "opts": self.model._meta,
                "retired": retired,
                "survivor": survivor,
                "unknown": bool(into) and survivor is None,
                "into": into,
                "plan": plan,
                "candidates": candidates,
                "merge_url": reverse("admin:participants_participant_merge", args=[retired.pk]),
            },
        )

    def duplicates_view(self, request):
        """People sharing a TRN, side by side (read-only)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(duplicate_trns(), 25).get_page(request.GET.get("page"))
        groups = duplicate_groups([row["trn"] for row in page])
        return TemplateResponse(
            request,
            "admin/participants/participant/duplicates.html",
            {
                **self.admin_site.each_context(request),
                "title": "Duplicate records: people sharing a TRN",
                "opts": self.model._meta,
                "page": page,
                "groups": groups,
                "may_merge": request.user.has_perm("participants.merge_participant"),
            },
        )


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
    ("Deferral reasons", [(value, value) for value in DeferReason.values]),
    ("Withdrawal reasons", [(value, value) for value in WithdrawReason.values]),
]

# The provider-owned training status a staff user chooses, and the action that reaches it.
ACTION_FOR_STATUS = {
    TrainingStatus.ACTIVE: "resume",
    TrainingStatus.DEFERRED: "defer",
    TrainingStatus.WITHDRAWN: "withdraw",
}


class TrainingStatusForm(forms.Form):
    """A new training status with one provider (the current one is not offered) and, for deferred or
    withdrawn, the reason the provider would have given."""

    lead_provider = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    training_status = forms.ChoiceField(label="New training status", widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        choices=REASON_CHOICES, required=False, help_text="Required to defer or withdraw."
    )

    def __init__(self, *args, providers, current_status, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_provider"].queryset = providers
        self.fields["training_status"].choices = [
            (value, label) for value, label in TrainingStatus.choices if value != current_status
        ]

    def clean(self):
        cleaned = super().clean()
        status, reason = cleaned.get("training_status"), cleaned.get("reason")
        if status == TrainingStatus.DEFERRED and reason not in DeferReason.values:
            self.add_error("reason", "Choose why the participant is deferred (a deferral reason).")
        elif status == TrainingStatus.WITHDRAWN and reason not in WithdrawReason.values:
            self.add_error("reason", "Choose why the participant is withdrawn (a withdrawal reason).")
        elif status == TrainingStatus.ACTIVE:
            cleaned["reason"] = None
        return cleaned


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
    readonly_fields = ("participant_page",)
    inlines = [
        InductionRecordInline,
        TrainingStatusChangeInline,
        EligibilityChangeInline,
        ScheduleChangeInline,
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_uuid(search_term.strip())
        if pk is None:
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

    @admin.display(description="Participant page")
    def participant_page(self, record):
        if record is None or record.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Declarations, history and actions for {}</a>',
            reverse("admin:participants_participant_change", args=[record.participant_id]),
            record.participant,
        )

    def _record_or_404(self, object_id) -> TrainingRecord:
        pk = parse_uuid(object_id)
        record = (
            TrainingRecord.objects.select_related("participant", "schedule__cohort").filter(pk=pk).first()
            if pk
            else None
        )
        if record is None:
            raise Http404("No such training record.")
        return record

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **context},
        )

    @staticmethod
    def _participant_url(record):
        return reverse("admin:participants_participant_change", args=[record.participant_id])

    def training_status_view(self, request, object_id):
        """Change a training status on a provider's behalf: the provider's own action, taken as that provider."""
        if not request.user.has_perm("participants.change_training_status"):
            raise PermissionDenied
        record = self._record_or_404(object_id)
        providers = training_record_lead_providers(training_record=record).order_by("name")
        chosen = request.POST.get("lead_provider") or request.GET.get("lead_provider") or ""
        provider = providers.filter(pk=chosen).first() if chosen.isdigit() else None
        if provider is None and not chosen and len(providers) == 1:
            provider = providers[0]
        title = f"Change {record.participant}'s training status"
        if provider is None:
            return self._page(
                request,
                "admin/participants/choose_provider.html",
                title,
                record=record,
                providers=providers,
                unknown=bool(chosen),
                participant_url=self._participant_url(record),
            )
        current = relevant_induction_record(training_record=record, lead_provider=provider)
        form = TrainingStatusForm(
            request.POST or None,
            initial={"lead_provider": provider.pk},
            providers=providers,
            current_status=current.training_status,
        )
        if request.method == "POST" and form.is_valid():
            status, reason = form.cleaned_data["training_status"], form.cleaned_data["reason"]
            try:
                training_record_change_training_status(
                    training_record=record,
                    lead_provider=provider,
                    action=ACTION_FOR_STATUS[status],
                    reason=reason,
                    actor=Actor.staff(request.user),
                )
            except DomainError as error:
                self.message_user(request, f"Unchanged: {error.detail}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{record.participant}'s {TYPE_LABELS[record.participant_type]} training with {provider} "
                    f"is now {status}"
                    + (f" ({reason})" if reason else "")
                    + f" (was {current.training_status}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._participant_url(record))
        return self._page(
            request,
            "admin/participants/training_status_form.html",
            title,
            record=record,
            provider=provider,
            current=current,
            form=form,
            participant_url=self._participant_url(record),
        )

    def eligibility_view(self, request, object_id):
        if not request.user.has_perm("participants.change_eligibility"):
            raise PermissionDenied
        record = self._record_or_404(object_id)
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
                record.refresh_from_db()
                self.message_user(
                    request,
                    f"{record.participant}'s {TYPE_LABELS[record.participant_type]} eligibility is now "
                    f"{record.eligibility_status} ({record.eligibility_reason}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._participant_url(record))
        return self._page(
            request,
            "admin/participants/action_form.html",
            "Set eligibility",
            form=form,
            record=record,
        )


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
