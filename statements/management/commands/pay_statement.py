import logging
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.actors import Actor
from config.errors import DomainError
from config.ids import parse_uuid
from statements.models import Statement
from statements.services import statement_authorise_and_pay, statement_pay

from ._statement_runs import DATE_HELP, parse_run_date, running_on, statement_names

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Pay authorised payable statements: payable → paid, awaiting_clawback → clawed_back, statement → "
        "paid, with a snapshot of its figures. --authorise --user <email> authorises first."
    )

    def add_arguments(self, parser):
        parser.add_argument("statement_ids", nargs="+", metavar="statement_id")
        parser.add_argument("--authorise", action="store_true", help="authorise as --user before paying")
        parser.add_argument("--user", help="email of the finance user authorising the payment")
        parser.add_argument("--date", help=f"sandbox only: {DATE_HELP}")

    def handle(self, *args, statement_ids, authorise=False, user=None, date=None, **options):
        if date and not settings.SANDBOX:
            raise CommandError("--date is only accepted in the sandbox: payments are made and dated today.")
        run_date = parse_run_date(date)
        pks = []
        for value in statement_ids:
            pk = parse_uuid(value)
            if pk is None or not Statement.objects.filter(pk=pk).exists():
                raise CommandError(f"Unknown statement id: {value}")
            pks.append(pk)
        finance_user = None
        if authorise:
            finance_user = self._finance_user(user)
        elif user:
            raise CommandError("--user is only used with --authorise.")
        names = statement_names(pks)
        paid = already = declarations = clawbacks = 0
        failures = []
        with running_on(run_date):
            for pk in tqdm(pks, disable=None, file=sys.stderr, desc="statements", unit="statement"):
                try:
                    result = self._pay(pk, finance_user)
                except DomainError as error:
                    failures.append(f"{names[pk]}: {error.detail}")
                    continue
                if result.done:
                    paid += 1
                    declarations += result.declarations_moved
                    clawbacks += result.clawbacks_moved
                    logger.info(
                        "%s paid: %d declaration(s) paid, %d clawed back",
                        names[pk],
                        result.declarations_moved,
                        result.clawbacks_moved,
                    )
                else:
                    already += 1
                    logger.info("%s was already paid", names[pk])
        for failure in failures:
            self.stderr.write(failure)
        summary = (
            f"Paid {paid} statement(s): {declarations} declaration(s) paid, {clawbacks} clawed back; "
            f"{already} already paid"
        )
        if failures:
            raise CommandError(f"{summary}; {len(failures)} refused")
        self.stdout.write(self.style.SUCCESS(summary))

    def _pay(self, pk, finance_user):
        statement = Statement.objects.get(pk=pk)
        needs_authorising = statement.status != Statement.Status.PAID and not statement.is_authorised
        if finance_user is not None and needs_authorising:
            # Authorisation and payment in one transaction, as the admin does it.
            return statement_authorise_and_pay(
                statement_id=pk, user=finance_user, actor=Actor.staff(finance_user)
            )
        actor = Actor.staff(finance_user) if finance_user else Actor.command("pay_statement")
        return statement_pay(statement_id=pk, actor=actor)

    def _finance_user(self, email):
        if not email:
            raise CommandError("--authorise needs --user <email> of a finance user.")
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}")
        if not user.has_perm("statements.authorise_statement"):
            raise CommandError(f"{email} is not allowed to authorise statements (finance group).")
        return user
