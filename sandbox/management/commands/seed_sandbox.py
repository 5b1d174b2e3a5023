import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sandbox.seed import seed

# Where `make run` serves; it passes its own HOST and PORT through SANDBOX_URL.
SANDBOX_URL = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8000/").rstrip("/") + "/"


class Command(BaseCommand):
    help = (
        "Loads the sandbox data set: lead providers, delivery partners, schools, partnerships 2021–2025, "
        "participants, contracts, statement calendars, and declarations in every state submitted through the "
        "declarations service at past instants (clock travel) with a per-provider 'sandbox-seed' token; past "
        "statements are made payable and paid by the mark_statements_payable and pay_statement runs (the "
        "latest past output statement is left payable for finance to authorise). Deterministic for a given "
        "day and idempotent: a re-run adds no "
        "rows. Every run issues one new live API token per provider (label 'sandbox') and prints it; only "
        "token digests are stored, so earlier sandbox tokens cannot be shown again but stay live. The "
        "admin superuser's password is set once and printed on every run (SANDBOX_ADMIN_PASSWORD chooses "
        "it); a password changed by hand since is kept and not shown. "
        "Refused unless settings.SANDBOX is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print {"lead_providers": [{"id", "name", "token"}], "admin": {"username", "email", "password"}}.',
        )

    def handle(self, *args, **options):
        if not getattr(settings, "SANDBOX", False):
            raise CommandError("seed_sandbox only runs when the SANDBOX setting is on.")
        result = seed()
        providers = [
            {"id": issued.lead_provider.pk, "name": issued.lead_provider.name, "token": issued.token}
            for issued in result.tokens
        ]
        admin = {
            "username": result.admin.username,
            "email": result.admin.email,
            "password": result.admin.password,
        }
        if options["json"]:
            self.stdout.write(json.dumps({"lead_providers": providers, "admin": admin}))
            return
        lines = [
            f"Sandbox seeded. Open {SANDBOX_URL} (API docs at {SANDBOX_URL}api/docs/v3, admin at {SANDBOX_URL}admin/).",
            f"Admin login: {admin['username']} / {admin['password']} ({admin['email']})"
            if admin["password"]
            else f"Admin login: {admin['username']} ({admin['email']}), with the password set by hand "
            "(SANDBOX_ADMIN_PASSWORD=… chooses a new one)",
            "API tokens (new on every run; earlier sandbox tokens stay live):",
            *(f"  {provider['name']}: {provider['token']}" for provider in providers),
        ]
        self.stdout.write("\n".join(lines))
