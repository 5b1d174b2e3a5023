"""Claw back paid declarations listed in a CSV (header exactly `declaration_id`), as a provider's void of a
paid declaration does: each becomes `awaiting_clawback` with a clawback line on its provider's next output
statement. Each row runs on its own (one bad row never stops the others) and the report says, per row, what
happened or why not. Exit status 1 when any row failed."""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.actors import Actor
from config.errors import DomainError
from config.ids import parse_uuid
from declarations import exceptions as texts
from declarations.models import Declaration, DeclarationState
from declarations.ports import statement_ledger
from declarations.services import declaration_void

HEADER = ["declaration_id"]


class _DryRun(Exception):
    """Rolls back one row's clawback in a dry run, after it has been checked in full."""


class Command(BaseCommand):
    help = "Claw back the paid declarations listed in a CSV (header: declaration_id), with a per-row report."

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--dry-run", action="store_true", help="check every row, change nothing")

    def handle(self, *args, csv_path, dry_run, **options):
        try:
            text = Path(csv_path).read_bytes().decode("utf-8-sig")
        except (FileNotFoundError, IsADirectoryError):
            raise CommandError(f"File not found: {csv_path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{csv_path} is not a UTF-8 text file") from None
        reader = csv.reader(io.StringIO(text))
        header = [name.strip() for name in next(reader, [])]
        if header != HEADER:
            raise CommandError(f"The header must be exactly 'declaration_id' (found {','.join(header)!r}).")
        actor = Actor.command("import_clawbacks")
        done = failed = 0
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            raw = row[0].strip()
            try:
                message = self._claw_back(raw, actor=actor, dry_run=dry_run)
            except DomainError as error:
                failed += 1
                self.stderr.write(f"row {line}: error: {raw}: {error.detail}")
            else:
                done += 1
                self.stdout.write(f"row {line}: {'would claw back' if dry_run else 'clawed back'}: {message}")
        prefix = "Dry run (nothing saved): " if dry_run else ""
        summary = f"{prefix}{done} clawed back, {failed} failed"
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _claw_back(raw: str, *, actor: Actor, dry_run: bool) -> str:
        pk = parse_uuid(raw)
        declaration = Declaration.objects.filter(pk=pk).first() if pk else None
        if declaration is None:
            raise DomainError("no declaration has this id")
        if declaration.state != DeclarationState.PAID:
            # A void of an unpaid declaration is not a clawback: refuse instead of voiding it.
            reason = (
                texts.CLAWBACK_ALREADY_REFUNDABLE
                if declaration.state in Declaration.REFUNDABLE_STATES
                else texts.CLAWBACK_NOT_PAID
            )
            raise DomainError(f"{texts.CLAWBACK_PREFIX}{reason} (it is {declaration.wire_state})")
        try:
            with transaction.atomic():
                declaration = declaration_void(declaration=declaration, actor=actor)
                clawback = next(
                    line
                    for line in statement_ledger().statement_lines(declaration=declaration)
                    if line.kind == "clawback"
                )
                message = f"{declaration.pk} awaiting clawback on {clawback.statement_name}"
                if dry_run:
                    raise _DryRun()
        except _DryRun:
            pass
        return message
