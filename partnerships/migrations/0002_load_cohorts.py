"""Reference cohorts 2021–2026 (07 §6, the production column of 03 §4.3). 2020 is deliberately not loaded."""

import datetime as dt

from django.db import migrations

COHORTS = [
    # start_year, registration_start, academic_year_start, auto_assignment_end, payments_frozen_at,
    # mentor_funding, detailed_evidence_types
    (2021, "2021-05-10", "2021-09-01", "2022-03-31", "2024-08-01", False, False),
    (2022, "2022-05-10", "2022-09-01", "2023-03-31", "2025-08-01", False, False),
    (2023, "2023-06-05", "2023-09-01", "2024-03-31", None, False, False),
    (2024, "2024-04-03", "2024-09-01", "2025-03-31", None, False, False),
    (2025, "2025-06-16", "2025-09-01", "2026-03-31", None, True, True),
    (2026, "2026-06-15", "2026-09-01", None, None, True, True),
]


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def load_cohorts(apps, schema_editor):
    Cohort = apps.get_model("partnerships", "Cohort")
    for year, registration, academic, auto_end, frozen, mentor_funding, detailed in COHORTS:
        Cohort.objects.update_or_create(
            start_year=year,
            defaults={
                "registration_start_date": _date(registration),
                "academic_year_start_date": _date(academic),
                "automatic_assignment_period_end_date": _date(auto_end),
                "payments_frozen_at": (
                    dt.datetime.combine(_date(frozen), dt.time.min, tzinfo=dt.UTC) if frozen else None
                ),
                "mentor_funding": mentor_funding,
                "detailed_evidence_types": detailed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]

    operations = [migrations.RunPython(load_cohorts, migrations.RunPython.noop)]
