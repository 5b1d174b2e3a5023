from django.core.management.base import BaseCommand, CommandError

from config.actors import Actor
from partnerships.models import LeadProvider
from partnerships.services import token_issue


class Command(BaseCommand):
    help = "Issue a new API token for a lead provider. The token is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("lead_provider", help="Lead provider name (exact) or id")
        parser.add_argument("--label", default="issued by create_api_token")

    def handle(self, *args, lead_provider, label, **options):
        query = LeadProvider.objects.filter(name=lead_provider)
        if lead_provider.isdigit():
            query = LeadProvider.objects.filter(pk=int(lead_provider)) | query
        provider = query.first()
        if provider is None:
            raise CommandError(f"No lead provider named or numbered {lead_provider!r}.")
        _, raw = token_issue(lead_provider=provider, label=label, actor=Actor.command("create_api_token"))
        self.stdout.write(raw)
