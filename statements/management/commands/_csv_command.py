"""Shared shape of the CSV import commands: read the file, run the importer, print a per-row report."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.actors import Actor


class CsvImportCommand(BaseCommand):
    commit_flag = False  # True: dry run unless --commit; False: applies unless --dry-run

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        if self.commit_flag:
            parser.add_argument("--commit", action="store_true", help="apply the changes (default: dry run)")
        else:
            parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")

    def run_import(self, text: str, *, actor: Actor, apply: bool, **options):
        raise NotImplementedError

    def handle(self, *args, csv_path, **options):
        path = Path(csv_path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"File not found: {csv_path}") from None
        except IsADirectoryError:
            raise CommandError(f"Not a file: {csv_path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{csv_path} is not a UTF-8 text file") from None
        apply = options.get("commit", False) if self.commit_flag else not options.get("dry_run", False)
        report = self.run_import(text, actor=Actor.command(self.name), apply=apply, **options)
        if report.header_error:
            raise CommandError(report.header_error)
        for line, outcome, message in report.rows:
            stream = self.stderr if outcome == "error" else self.stdout
            stream.write(f"row {line}: {outcome}: {message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} invalid row(s); nothing was imported.")
        counts = (
            ", ".join(
                f"{report.count(outcome)} {outcome}"
                for outcome in dict.fromkeys(row[1] for row in report.rows)
            )
            or "no rows"
        )
        prefix = "" if apply else "Dry run (nothing saved): "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{counts}"))

    @property
    def name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]
