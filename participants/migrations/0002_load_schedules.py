"""Schedules and milestones from the project's own copy of the reference data (participants/data/schedules.json).

72 schedules (12 per cohort 2021–2026) and 486 milestones. Upserts on natural keys, so re-running is harmless.
"""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "schedules.json"


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def load_schedules(apps, schema_editor):
    Cohort = apps.get_model("partnerships", "Cohort")
    Schedule = apps.get_model("participants", "Schedule")
    Milestone = apps.get_model("participants", "Milestone")
    cohorts = {cohort.start_year: cohort for cohort in Cohort.objects.all()}
    for row in json.loads(DATA.read_text())["schedules"]:
        schedule, _ = Schedule.objects.update_or_create(
            cohort=cohorts[row["cohort"]],
            schedule_identifier=row["schedule_identifier"],
            defaults={"name": row["name"], "schedule_type": row["schedule_type"]},
        )
        for milestone in row["milestones"]:
            Milestone.objects.update_or_create(
                schedule=schedule,
                declaration_type=milestone["declaration_type"],
                defaults={
                    "name": milestone["name"],
                    "start_date": _date(milestone["start_date"]),
                    "milestone_date": _date(milestone["milestone_date"]),
                    "payment_date": _date(milestone["payment_date"]),
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0001_initial"),
        ("partnerships", "0002_load_cohorts"),
    ]

    operations = [migrations.RunPython(load_schedules, migrations.RunPython.noop)]
