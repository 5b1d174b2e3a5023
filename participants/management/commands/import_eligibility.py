"""Bulk funding eligibility from a CSV with headers training_record_id,status,reason."""

import csv
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.actors import Actor
from config.errors import DomainError
from participants.models import TrainingRecord
from participants.services import participant_set_eligibility

REQUIRED_HEADERS = ("training_record_id", "status")


class Command(BaseCommand):
    help = (
        "Record funding eligibility for many training records from a CSV (training_record_id,status,reason). "
        "Each row is applied on its own; bad rows are reported and make the command exit non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="CSV file with headers training_record_id,status[,reason]")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report every row, change nothing"
        )

    def handle(self, *args, csv_path, dry_run, **options):
        try:
            with open(csv_path, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                rows = list(reader)
                headers = [name.strip() for name in (reader.fieldnames or [])]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {csv_path}: {error}") from error
        missing = [name for name in REQUIRED_HEADERS if name not in headers]
        if missing:
            raise CommandError(
                f"Missing column(s): {', '.join(missing)} (expected training_record_id,status,reason)"
            )

        actor = Actor.command("import_eligibility")
        changed = unchanged = 0
        failures = []
        with transaction.atomic():
            for line, raw in enumerate(rows, start=2):  # line 1 is the header
                row = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if key}
                try:
                    outcome = self._apply(row, actor)
                except DomainError as error:
                    failures.append(f"line {line}: {error.detail}")
                    self.stdout.write(f"line {line}: FAILED {error.detail}")
                    continue
                if outcome:
                    changed += 1
                else:
                    unchanged += 1
                self.stdout.write(
                    f"line {line}: {'changed' if outcome else 'unchanged'} {row['training_record_id']}"
                )
            transaction.set_rollback(dry_run)

        prefix = "Dry run: would change" if dry_run else "Changed"
        summary = f"{prefix} {changed}, unchanged {unchanged}, failed {len(failures)} of {len(rows)} rows"
        if failures:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(f"{len(failures)} row(s) failed: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS(summary))

    def _apply(self, row: dict, actor: Actor) -> bool:
        """True when the row changed the record. Each row runs in its own savepoint."""
        try:
            record_id = uuid.UUID(row.get("training_record_id", ""))
        except ValueError:
            raise DomainError(f"not a training record id: {row.get('training_record_id')!r}") from None
        record = TrainingRecord.objects.filter(pk=record_id).first()
        if record is None:
            raise DomainError(f"no training record {record_id}")
        before = (record.eligibility_status, record.eligibility_reason)
        with transaction.atomic():
            updated = participant_set_eligibility(
                training_record=record,
                status=row.get("status"),
                reason=row.get("reason") or None,
                actor=actor,
            )
        return (updated.eligibility_status, updated.eligibility_reason) != before
