"""Cohort rules: assignment by start date, current and registration cohorts, frozen and open."""

import datetime as dt

import pytest

from partnerships.models import Cohort
from partnerships.selectors import (
    cohort_active_registration,
    cohort_current,
    cohort_destination_from_frozen,
    cohort_for_start_date,
    cohort_is_payments_frozen,
    cohort_year_for_start_date,
    cohorts_open,
    cohorts_payments_frozen,
    partnership_challenge_deadline,
)
from tests.factories.partnerships import cohort

pytestmark = pytest.mark.django_db


def year(value):
    return None if value is None else value.start_year


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.date(2025, 5, 15), 2024),
        (dt.date(2025, 5, 31), 2024),
        (dt.date(2025, 6, 1), 2025),
        (dt.date(2024, 12, 31), 2024),
        (dt.date(2022, 1, 10), 2021),
    ],
)
def test_start_date_belongs_to_the_cohort_from_1_june(start, expected):
    assert cohort_year_for_start_date(start) == expected
    assert year(cohort_for_start_date(start)) == expected


def test_start_dates_before_september_2021_map_to_the_current_cohort():
    assert year(cohort_for_start_date(dt.date(2021, 8, 31), today=dt.date(2024, 10, 1))) == 2024
    assert year(cohort_for_start_date(dt.date(2019, 1, 1), today=dt.date(2025, 9, 1))) == 2025


def test_start_date_may_be_a_datetime():
    assert year(cohort_for_start_date(dt.datetime(2025, 6, 1, 0, 30, tzinfo=dt.UTC))) == 2025


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2024, 9, 1), 2024),  # academic year start is included
        (dt.date(2024, 8, 31), 2023),
        (dt.date(2025, 8, 31), 2024),
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2028, 9, 2), None),  # no cohort started in the last 12 months
    ],
)
def test_current_cohort(today, expected):
    assert year(cohort_current(today=today)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 6, 15), 2024),
        (dt.date(2025, 6, 16), 2025),
        (dt.date(2026, 6, 15), 2026),
        (dt.date(2021, 5, 9), None),
    ],
)
def test_active_registration_cohort(today, expected):
    assert year(cohort_active_registration(today=today)) == expected


def test_frozen_and_open_cohorts():
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert sorted(c.start_year for c in cohorts_payments_frozen(at=at)) == [2021, 2022]
    assert sorted(c.start_year for c in cohorts_open(at=at)) == [2023, 2024, 2025, 2026]
    # 2022 froze on 1 August 2025: open before that instant, frozen from it.
    assert not cohort_is_payments_frozen(cohort(2022), at=dt.datetime(2025, 7, 31, 23, 59, tzinfo=dt.UTC))
    assert cohort_is_payments_frozen(cohort(2022), at=dt.datetime(2025, 8, 1, tzinfo=dt.UTC))
    assert not cohort_is_payments_frozen(cohort(2024), at=at)
    Cohort.objects.filter(start_year=2023).update(payments_frozen_at=dt.datetime(2027, 8, 1, tzinfo=dt.UTC))
    assert 2023 in [c.start_year for c in cohorts_open(at=at)]


def test_destination_cohort_from_a_frozen_cohort_is_2024():
    assert year(cohort_destination_from_frozen()) == 2024


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2024, 6, 1, tzinfo=dt.UTC), dt.datetime(2024, 10, 31, tzinfo=dt.UTC)),
        (dt.datetime(2024, 10, 17, tzinfo=dt.UTC), dt.datetime(2024, 10, 31, tzinfo=dt.UTC)),
        (dt.datetime(2024, 10, 18, 1, tzinfo=dt.UTC), dt.datetime(2024, 11, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_challenge_deadline_is_the_later_of_two_dates(now, expected):
    assert partnership_challenge_deadline(cohort=cohort(2024), now=now) == expected
