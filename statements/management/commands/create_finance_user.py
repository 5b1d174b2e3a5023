from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction


class Command(BaseCommand):
    help = "Create (if needed) a staff user and add it to the finance group."

    def add_arguments(self, parser):
        parser.add_argument("full_name")
        parser.add_argument("email")

    def handle(self, *args, full_name, email, **options):
        full_name = " ".join(full_name.split())
        email = email.strip().lower()
        if not full_name:
            raise CommandError("A full name is required.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not a valid email address: {email!r}") from None
        group = Group.objects.filter(name="finance").first()
        if group is None:
            raise CommandError("The finance group does not exist; run migrate first.")
        User = get_user_model()
        first, _, last = full_name.partition(" ")
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            created = user is None
            if created:
                user = User(username=email[:150], email=email, first_name=first[:150], last_name=last[:150])
                user.set_unusable_password()
            user.is_staff = True
            user.save()
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} finance user {email} ({full_name})"))
