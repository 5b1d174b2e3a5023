"""Staff groups: `finance` sees everything and acts on money and on a provider's behalf; `support` looks up
participants, declarations, schools and partnerships (read-only) and acts for schools. Statements, contracts
and payment schedules are finance's alone. Kept in step after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

DOMAIN_APPS = ("partnerships", "participants", "declarations", "statements")

FINANCE_EXTRA = (
    "statements.authorise_statement",
    "statements.add_adjustment",
    "statements.change_adjustment",
    "statements.delete_adjustment",
    "declarations.void_declaration",
    "participants.change_training_status",
    "participants.change_eligibility",
    "participants.merge_participant",
)

# Support staff act for schools (a school's partnership challenge) and merge duplicate people.
SUPPORT_EXTRA = ("partnerships.challenge_partnership", "participants.merge_participant")

# What support may not even see: money and the payment schedules behind it.
FINANCE_ONLY_VIEWS = Q(content_type__app_label="statements") | Q(
    content_type__app_label="participants", codename__in=["view_schedule", "view_milestone"]
)


def _permissions(dotted_names) -> list[Permission]:
    found = []
    for dotted in dotted_names:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    return found


def ensure_staff_groups(**kwargs) -> None:
    view_all = Permission.objects.filter(
        content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_"
    )
    finance, _ = Group.objects.get_or_create(name="finance")
    finance.permissions.add(*view_all, *_permissions(FINANCE_EXTRA))
    support, _ = Group.objects.get_or_create(name="support")
    support.permissions.set([*view_all.exclude(FINANCE_ONLY_VIEWS), *_permissions(SUPPORT_EXTRA)])
