"""Append-only history rows and the actor columns added to simple-history's audit tables."""

from django.db import models

from config import clock
from config.actors import Actor, ActorKind, current_actor


class HistoryRowError(Exception):
    pass


class StateChange(models.Model):
    """Base of every state-history table: from, to, when and who. Insert-only."""

    changed_at = models.DateTimeField(default=clock.now)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=150)
    reason = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor_kind__in=[kind for kind, _ in ActorKind.choices]),
                name="%(app_label)s_%(class)s_actor_kind_valid",
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryRowError("History rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryRowError("History rows are append-only.")

    @classmethod
    def actor_fields(cls, actor: Actor) -> dict:
        return {"actor_kind": actor.kind, "actor_id": actor.id}


class AuditedHistoricalModel(models.Model):
    """Extra columns on simple-history's Historical<Model> tables: the acting provider token or command.

    A staff user is recorded by simple-history itself (`history_user`); tokens and commands come from
    `config.actors.acting_as`.
    """

    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, null=True, blank=True)
    actor_id = models.CharField(max_length=150, null=True, blank=True)

    class Meta:
        abstract = True


def fill_historical_actor(sender, history_instance, **kwargs):
    """simple-history `pre_create_historical_record` receiver (connected in each app config)."""
    actor = current_actor()
    if actor is not None:
        history_instance.actor_kind = actor.kind
        history_instance.actor_id = actor.id
        if actor.user is not None and getattr(history_instance, "history_user_id", None) is None:
            history_instance.history_user = actor.user
    elif getattr(history_instance, "history_user_id", None) is not None:
        history_instance.actor_kind = ActorKind.STAFF_USER
        history_instance.actor_id = str(history_instance.history_user_id)


def history_user_of_request(request=None, **kwargs):
    """simple-history `get_user`: only a signed-in staff user; an API request's user is a token holder."""
    from django.contrib.auth.models import AbstractBaseUser

    user = getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) else None


def audit_history(**kwargs):
    """Field-level audit (simple-history) with the actor columns; the user is a staff user or nobody."""
    from simple_history.models import HistoricalRecords

    return HistoricalRecords(bases=[AuditedHistoricalModel], get_user=history_user_of_request, **kwargs)
