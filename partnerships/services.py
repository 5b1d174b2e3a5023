"""Use cases that write partnerships-app data. Each is atomic and records who acted."""

import re
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django_fsm import can_proceed

from config import clock
from config.actors import Actor, acting_as
from config.errors import AttributeErrors
from config.ids import parse_uuid
from partnerships import exceptions as exc
from partnerships.models import (
    PROVIDER_LED_PROGRAMMES,
    ChallengeReason,
    Cohort,
    DeliveryPartner,
    InductionProgramme,
    LeadProvider,
    LeadProviderToken,
    Partnership,
    PartnershipEvent,
    PartnershipStateChange,
    PartnershipStatus,
    ProgrammeChoice,
    School,
    SchoolCohort,
    TrainingProgramme,
)
from partnerships.notifications import notify_partnership_challenged
from partnerships.ports import school_participants
from partnerships.selectors import live_relationships, partnership_challenge_deadline

TOKEN_BYTES = 32  # 256 bits of randomness


@transaction.atomic
def token_issue(*, lead_provider: LeadProvider, label: str, actor: Actor) -> tuple[LeadProviderToken, str]:
    """Creates a token and returns it with its value, which is never stored and cannot be shown again."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with acting_as(actor):
        token = LeadProviderToken.objects.create(
            lead_provider=lead_provider, label=label, digest=LeadProviderToken.digest_of(raw)
        )
    return token, raw


@transaction.atomic
def token_revoke(*, token: LeadProviderToken, actor: Actor) -> LeadProviderToken:
    token = LeadProviderToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        with acting_as(actor):
            token.save(update_fields=["revoked_at"])
    return token


# ---------------------------------------------------------------------------------------------------------
# Partnerships: report (create), change delivery partner (update), challenge
# ---------------------------------------------------------------------------------------------------------


def _is_blank(value) -> bool:
    """Rails' `blank?`: nil, false, whitespace-only strings and empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | dict | tuple):
        return len(value) == 0
    return False


def _cohort_year(value) -> int | None:
    """A cohort given as a number or a string of digits; anything else names no cohort."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value)
    ):
        year = int(value)
    else:
        return None
    return year if 0 < year < 10000 else None


def _find_cohort(value) -> Cohort | None:
    if isinstance(value, Cohort):
        return value
    year = _cohort_year(value)
    return None if year is None else Cohort.objects.filter(start_year=year).first()


def _uuid_or_none(value) -> uuid.UUID | None:
    """Ids from a request body are strings; other callers (commands, tests) may pass a UUID or the row."""
    if isinstance(value, School | DeliveryPartner):
        return value.pk
    return parse_uuid(value)


def _find_delivery_partner(value) -> DeliveryPartner | None:
    pk = _uuid_or_none(value)
    if pk is None:
        return None
    return DeliveryPartner.objects.filter(pk=pk, discarded_at__isnull=True).first()


def _has_relationship(*, lead_provider: LeadProvider, delivery_partner: DeliveryPartner, cohort) -> bool:
    if cohort is None:
        return False
    return (
        live_relationships(lead_provider=lead_provider)
        .filter(delivery_partner=delivery_partner, cohort=cohort)
        .exists()
    )


def _confirmed_partnerships(*, school: School, cohort_filter: dict):
    return Partnership.objects.filter(
        school=school, relationship=False, status=PartnershipStatus.ACTIVE, **cohort_filter
    )


def _school_error(*, school: School, cohort: Cohort | None, lead_provider: LeadProvider) -> str | None:
    """The school checks of a report, in order; the first that fails. Those about the cohort are skipped when
    it did not resolve."""
    if school.is_cip_only:
        return exc.SCHOOL_CIP_ONLY
    if not school.is_eligible:
        return exc.SCHOOL_INELIGIBLE
    if cohort is None:
        return None
    holder = _confirmed_partnerships(school=school, cohort_filter={"cohort": cohort}).values_list(
        "lead_provider_id", flat=True
    )
    holders = set(holder)
    if lead_provider.pk in holders:
        return exc.SCHOOL_ALREADY_CONFIRMED
    if holders:
        return exc.SCHOOL_RECRUITED_BY_OTHER_PROVIDER
    previously_partnered = _confirmed_partnerships(
        school=school, cohort_filter={"cohort__start_year": cohort.start_year - 1}
    ).exists()
    if previously_partnered and not SchoolCohort.objects.filter(school=school, cohort=cohort).exists():
        return exc.SCHOOL_PROGRAMME_NOT_YET_CONFIRMED
    return None


def _record_change(partnership: Partnership, *, event: str, actor: Actor, from_status=None, from_dp=None):
    PartnershipStateChange.objects.create(
        partnership=partnership,
        event=event,
        from_status=from_status,
        to_status=partnership.status,
        from_delivery_partner=from_dp,
        to_delivery_partner_id=partnership.delivery_partner_id,
        changed_at=clock.now(),
        reason=partnership.challenge_reason,
        **PartnershipStateChange.actor_fields(actor),
    )


def _reusable_partnership(*, lead_provider, school, cohort, delivery_partner) -> Partnership | None:
    """The row a report reuses: the caller's relationship row with that DP, its ordinary row with that DP, its newest
    ordinary row; else None (a new row). This order means `partnership_unique_lp_dp` cannot fire."""
    mine = Partnership.objects.select_for_update().filter(
        lead_provider=lead_provider, school=school, cohort=cohort
    )
    return (
        mine.filter(relationship=True, delivery_partner=delivery_partner).first()
        or mine.filter(relationship=False, delivery_partner=delivery_partner).first()
        or mine.filter(relationship=False).order_by("-created_at", "-pk").first()
    )


def _touch_school_and_participants(school: School) -> None:
    """The school and every participant of the school get a new `updated_at` (set-based)."""
    School.objects.filter(pk=school.pk).update(updated_at=clock.now())
    school_participants().touch_participants_of_school(school_id=school.pk)


def _attach_programme(*, school_cohort: SchoolCohort, partnership: Partnership, actor: Actor) -> None:
    """Step 4: the school cohort's provider-led programme is linked to the partnership, and participants
    on unpartnered or challenged provider-led programmes (or on a replaced default) move onto it."""
    default = school_cohort.default_programme
    provider_led_default = default is not None and default.training_programme in PROVIDER_LED_PROGRAMMES
    sources = []
    if provider_led_default and default.partnership_id in (None, partnership.pk):
        if default.partnership_id is None:
            default.partnership = partnership
            default.save(update_fields=["partnership", "updated_at"])
        target = default
    else:
        target = InductionProgramme.objects.create(
            school_cohort=school_cohort,
            training_programme=TrainingProgramme.FULL_INDUCTION_PROGRAMME,
            partnership=partnership,
        )
        if default is not None and (not provider_led_default or default.partnership.status != "active"):
            sources.append(default.pk)
        school_cohort.default_programme = target
    if school_cohort.induction_programme_choice not in PROVIDER_LED_PROGRAMMES:
        school_cohort.induction_programme_choice = ProgrammeChoice.FULL_INDUCTION_PROGRAMME
    with acting_as(actor):
        school_cohort.save()
    stale = (
        InductionProgramme.objects.filter(
            school_cohort=school_cohort, training_programme__in=PROVIDER_LED_PROGRAMMES
        )
        .exclude(pk=target.pk)
        .filter(Q(partnership__isnull=True) | Q(partnership__status=PartnershipStatus.CHALLENGED))
        .values_list("pk", flat=True)
    )
    sources.extend(stale)
    if sources:
        school_participants().move_to_programme(from_programme_ids=sources, to_programme_id=target.pk)


def _apply_report(*, partnership: Partnership, actor: Actor) -> None:
    """The effects of a report on a saved partnership: challenge deadline, school cohort and programme,
    participants moved onto it, and everyone touched (the public service's emails are not modelled)."""
    partnership.challenge_deadline = partnership_challenge_deadline(cohort=partnership.cohort)
    partnership.save()
    school_cohort = (
        SchoolCohort.objects.select_for_update()
        .filter(school=partnership.school, cohort=partnership.cohort)
        .first()
    )
    if school_cohort is None:
        with acting_as(actor):
            school_cohort = SchoolCohort.objects.create(
                school=partnership.school,
                cohort=partnership.cohort,
                induction_programme_choice=ProgrammeChoice.FULL_INDUCTION_PROGRAMME,
            )
    _attach_programme(school_cohort=school_cohort, partnership=partnership, actor=actor)
    # A report may clear a challenge or link the partnership to a programme with participants on it.
    school_participants().partnership_programmes_changed(partnership_id=partnership.pk)
    _touch_school_and_participants(partnership.school)


def partnership_create(
    *, lead_provider: LeadProvider, cohort, school_id, delivery_partner_id, actor: Actor
) -> Partnership:
    """POST /partnerships/ecf: validate in the spec's order, then report the partnership.

    The school row is locked first, so two identical requests run one after the other and the second
    fails check 8; the partial unique constraint is the backstop (its IntegrityError becomes that 422).
    """
    try:
        return _partnership_create(
            lead_provider=lead_provider,
            cohort=cohort,
            school_id=school_id,
            delivery_partner_id=delivery_partner_id,
            actor=actor,
        )
    except IntegrityError:
        cohort_row = _find_cohort(cohort)
        school = School.objects.filter(pk=_uuid_or_none(school_id)).first()
        holder = (
            _confirmed_partnerships(school=school, cohort_filter={"cohort": cohort_row}).first()
            if school is not None and cohort_row is not None
            else None
        )
        message = (
            exc.SCHOOL_RECRUITED_BY_OTHER_PROVIDER
            if holder is not None and holder.lead_provider_id != lead_provider.pk
            else exc.SCHOOL_ALREADY_CONFIRMED
        )
        raise AttributeErrors([("school_id", message)]) from None


@transaction.atomic
def _partnership_create(*, lead_provider, cohort, school_id, delivery_partner_id, actor) -> Partnership:
    errors = AttributeErrors()
    # 1–3: presence.
    if _is_blank(cohort):
        errors.add("cohort", exc.COHORT_BLANK)
    if _is_blank(school_id):
        errors.add("school_id", exc.SCHOOL_ID_BLANK)
    if _is_blank(delivery_partner_id):
        errors.add("delivery_partner_id", exc.DELIVERY_PARTNER_ID_BLANK)
    # 4: cohort.
    cohort_row = None if _is_blank(cohort) else _find_cohort(cohort)
    if not _is_blank(cohort) and cohort_row is None:
        errors.add("cohort", exc.COHORT_INVALID)
    # 5–10: school, under a lock held to the end of the transaction.
    school = None
    if not _is_blank(school_id):
        pk = _uuid_or_none(school_id)
        school = School.objects.select_for_update().filter(pk=pk).first() if pk else None
        if school is None:
            errors.add("school_id", exc.SCHOOL_ID_INVALID)
        else:
            message = _school_error(school=school, cohort=cohort_row, lead_provider=lead_provider)
            if message:
                errors.add("school_id", message)
    # 11–12: delivery partner.
    delivery_partner = None
    if not _is_blank(delivery_partner_id):
        delivery_partner = _find_delivery_partner(delivery_partner_id)
        if delivery_partner is None:
            errors.add("delivery_partner_id", exc.DELIVERY_PARTNER_ID_INVALID)
        elif not _has_relationship(
            lead_provider=lead_provider, delivery_partner=delivery_partner, cohort=cohort_row
        ):
            errors.add("delivery_partner_id", exc.DELIVERY_PARTNER_NO_RELATIONSHIP)
    if errors:
        raise errors

    # Step 1: reuse (relationship row with this DP, then an ordinary row), else create.
    partnership = _reusable_partnership(
        lead_provider=lead_provider, school=school, cohort=cohort_row, delivery_partner=delivery_partner
    )
    if partnership is None:
        partnership = Partnership(
            lead_provider=lead_provider, school=school, cohort=cohort_row, delivery_partner=delivery_partner
        )
        event, from_status, from_dp = PartnershipEvent.CREATED, None, None
    else:
        from_status, from_dp = partnership.status, partnership.delivery_partner
        if partnership.relationship:
            event = PartnershipEvent.RELATIONSHIP_CONVERTED
            partnership.relationship = False
        else:
            event = PartnershipEvent.REPORTED
        # Step 2: clear the challenge.
        if partnership.status == PartnershipStatus.CHALLENGED:
            partnership.report()
        partnership.delivery_partner = delivery_partner
    partnership.school = school
    with transaction.atomic():  # a savepoint: a constraint failure leaves the outer transaction usable
        _apply_report(partnership=partnership, actor=actor)
    _record_change(partnership, event=event, actor=actor, from_status=from_status, from_dp=from_dp)
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, delivery_partner_id, actor: Actor) -> Partnership:
    """PUT /partnerships/ecf/{id}: change the delivery partner, then re-report the partnership."""
    School.objects.select_for_update().filter(pk=partnership.school_id).first()
    partnership = (
        Partnership.objects.select_for_update().select_related("cohort", "school").get(pk=partnership.pk)
    )
    errors = AttributeErrors()
    if _is_blank(delivery_partner_id):
        errors.add("delivery_partner_id", exc.DELIVERY_PARTNER_ID_BLANK)
        raise errors
    delivery_partner = _find_delivery_partner(delivery_partner_id)
    if delivery_partner is None:
        message = exc.DELIVERY_PARTNER_ID_INVALID
    elif not _has_relationship(
        lead_provider=partnership.lead_provider, delivery_partner=delivery_partner, cohort=partnership.cohort
    ):
        message = exc.DELIVERY_PARTNER_NO_RELATIONSHIP
    elif partnership.status == PartnershipStatus.CHALLENGED:
        message = exc.PARTNERSHIP_CHALLENGED
    elif (
        Partnership.objects.filter(
            lead_provider_id=partnership.lead_provider_id,
            school_id=partnership.school_id,
            cohort_id=partnership.cohort_id,
            delivery_partner=delivery_partner,
        )
        .exclude(pk=partnership.pk)
        .exists()
    ):
        # The spec names relationship rows; any other row of this provider with that delivery partner
        # would break `partnership_unique_lp_dp`, so all are refused with the same message (as ECF).
        message = exc.DELIVERY_PARTNER_DUPLICATE
    else:
        message = None
    if message:
        errors.add("delivery_partner_id", message)
        raise errors
    if partnership.delivery_partner_id == delivery_partner.pk:
        return partnership  # unchanged: no event, no touch (step 4)
    from_dp = partnership.delivery_partner
    partnership.delivery_partner = delivery_partner
    try:
        with transaction.atomic():
            _apply_report(partnership=partnership, actor=actor)
    except IntegrityError:
        raise AttributeErrors([("delivery_partner_id", exc.DELIVERY_PARTNER_DUPLICATE)]) from None
    _record_change(
        partnership,
        event=PartnershipEvent.DELIVERY_PARTNER_CHANGED,
        actor=actor,
        from_status=partnership.status,
        from_dp=from_dp,
    )
    return partnership


@transaction.atomic
def partnership_challenge(*, partnership: Partnership, reason: str, actor: Actor) -> Partnership:
    """A school's challenge, made by DfE staff on its behalf: active → challenged.

    A `no_ects` challenge also sets the school's programme choice for the cohort to
    `no_early_career_teachers`. The provider keeps seeing the partnership (status `challenged`), can no
    longer update it, and its participants leave the provider's participant endpoints.
    """
    if reason not in ChallengeReason.values:
        raise exc.InvalidChallengeReasonError(reason)
    School.objects.select_for_update().filter(pk=partnership.school_id).first()
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not can_proceed(partnership.challenge):
        raise exc.PartnershipAlreadyChallengedError()
    partnership.challenge(reason=reason, at=clock.now())
    partnership.save()
    school_participants().partnership_programmes_changed(partnership_id=partnership.pk)
    if reason == ChallengeReason.NO_ECTS:
        school_cohort = (
            SchoolCohort.objects.select_for_update()
            .filter(school_id=partnership.school_id, cohort_id=partnership.cohort_id)
            .first()
        )
        with acting_as(actor):
            if school_cohort is None:
                SchoolCohort.objects.create(
                    school_id=partnership.school_id,
                    cohort_id=partnership.cohort_id,
                    induction_programme_choice=ProgrammeChoice.NO_EARLY_CAREER_TEACHERS,
                )
            else:
                school_cohort.induction_programme_choice = ProgrammeChoice.NO_EARLY_CAREER_TEACHERS
                school_cohort.save()
    _record_change(
        partnership, event=PartnershipEvent.CHALLENGED, actor=actor, from_status=PartnershipStatus.ACTIVE
    )
    notify_partnership_challenged(partnership)
    return partnership


# ---------------------------------------------------------------------------------------------------------
# Data loads (the sandbox seed): rows inserted set-based with the history their state implies
# ---------------------------------------------------------------------------------------------------------


def partnerships_bulk_create(*, partnerships: list[Partnership], challenges: dict, actor: Actor) -> list:
    """Inserts new partnerships set-based, each created `active` with its creation history row at its
    `created_at`. Those named in `challenges` (partnership id → (reason, when)) then make the model's
    `challenge` move, with that move's history row. Programmes and participants are not touched."""
    actor_fields = PartnershipStateChange.actor_fields(actor)
    history = []
    for partnership in partnerships:
        if partnership.status != PartnershipStatus.ACTIVE:
            raise ValueError(f"Partnership {partnership.pk} must be created active; a challenge is a move.")
        history.append(
            PartnershipStateChange(
                partnership=partnership,
                event=PartnershipEvent.RELATIONSHIP_CREATED
                if partnership.relationship
                else PartnershipEvent.CREATED,
                from_status=None,
                to_status=partnership.status,
                to_delivery_partner_id=partnership.delivery_partner_id,
                changed_at=partnership.created_at,
                **actor_fields,
            )
        )
        if partnership.pk in challenges:
            reason, at = challenges[partnership.pk]
            partnership.challenge(reason=reason, at=at)
            history.append(
                PartnershipStateChange(
                    partnership=partnership,
                    event=PartnershipEvent.CHALLENGED,
                    from_status=PartnershipStatus.ACTIVE,
                    to_status=partnership.status,
                    from_delivery_partner_id=partnership.delivery_partner_id,
                    to_delivery_partner_id=partnership.delivery_partner_id,
                    changed_at=at,
                    reason=reason,
                    **actor_fields,
                )
            )
    with transaction.atomic():
        Partnership.objects.bulk_create(partnerships, batch_size=500)
        PartnershipStateChange.objects.bulk_create(history, batch_size=500)
    return partnerships
