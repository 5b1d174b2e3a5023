"""Small building blocks shared by every app's models."""

from django.db import models

from config import clock


class LastUpdatedField(models.DateTimeField):
    """`auto_now` on the service clock, so a time-travelled sandbox request stamps its own instant."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = clock.now()
        setattr(model_instance, self.attname, value)
        return value


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = LastUpdatedField()

    class Meta:
        abstract = True


def choices_check(field: str, choices: type[models.TextChoices], *, name: str, nullable: bool = False):
    """CHECK constraint holding an enum column to exactly its values."""
    condition = models.Q(**{f"{field}__in": choices.values})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def ratio_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=6, decimal_places=4, **kwargs)
