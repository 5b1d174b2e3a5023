"""Small building blocks shared by every app's models."""

from django.db import models
from django.utils import timezone


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def choices_check(field: str, choices: type[models.TextChoices], *, name: str, nullable: bool = False):
    """CHECK constraint holding an enum column to exactly its values (07 §0)."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def ratio_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=6, decimal_places=4, **kwargs)
