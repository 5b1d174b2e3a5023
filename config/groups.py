"""Staff groups: `finance` acts on money, `support` only looks. Kept in step after every migrate."""

from django.contrib.auth.models import Group, Permission

DOMAIN_APPS = ("partnerships", "participants", "declarations", "statements")

FINANCE_EXTRA = (
    "statements.authorise_statement",
    "statements.add_adjustment",
    "statements.change_adjustment",
    "statements.delete_adjustment",
    "declarations.void_declaration",
    "participants.change_training_status",
    "participants.change_eligibility",
)

# Support staff act for schools: a school's partnership challenge.
SUPPORT_EXTRA = ("partnerships.challenge_partnership",)


def ensure_staff_groups(**kwargs) -> None:
    view_all = Permission.objects.filter(
        content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_"
    )
    support, _ = Group.objects.get_or_create(name="support")
    support.permissions.add(*view_all)
    finance, _ = Group.objects.get_or_create(name="finance")
    finance.permissions.add(*view_all)
    for dotted in FINANCE_EXTRA:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            finance.permissions.add(permission)
    for dotted in SUPPORT_EXTRA:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            support.permissions.add(permission)
