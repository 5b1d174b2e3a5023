"""Turns a StatementCalculation into the formatted rows of the statement screens (06 §2.3, §2.4).

Every money figure is formatted on its own with `format_gbp` (05 §7); templates only lay the rows out.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from statements.calculations import Layout, StatementCalculation, revised_target
from statements.money import format_gbp

LONDON = ZoneInfo("Europe/London")


def london_time(value: dt.datetime | None) -> str:
    """`3:04pm on 5 Jan 2026` in London time (06 §2.3)."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {local.day} {local:%b %Y}"


def _clawback_rows(rows):
    return [
        {
            "label": row.label,
            "count": row.count,
            "fee": format_gbp(row.fee),
            "subtotal": format_gbp(row.subtotal),
        }
        for row in rows
    ]


def breakdown(calculation: StatementCalculation, *, contract=None, mentor_contract=None, bands=()) -> dict:
    banded = calculation.banded
    letters = [cell.letter for cell in banded.output_rows[0].bands] if banded.output_rows else []
    output_rows = [
        {
            "label": row.label,
            "cells": [
                {"count": cell.count, "fee": format_gbp(cell.fee), "subtotal": format_gbp(cell.subtotal)}
                for cell in row.bands
            ],
            "count": row.count,
            "total": format_gbp(row.total),
        }
        for row in banded.output_rows
    ]
    summary = [
        {"label": label, "amount": format_gbp(amount), "is_total": label == "Total"}
        for label, amount in calculation.summary_lines()
    ]
    counts = banded.counts
    context = {
        "layout": calculation.layout.value,
        "is_split": calculation.layout == Layout.SPLIT,
        "summary": summary,
        "total": format_gbp(calculation.total),
        "total_ex_vat": format_gbp(calculation.total_ex_vat),
        "vat": format_gbp(calculation.vat),
        "band_letters": letters,
        "output_rows": output_rows,
        "output_total": format_gbp(banded.output_fee),
        "service_fee": format_gbp(banded.service_fee),
        "uplift": {
            "participants": banded.uplift.participants,
            "fee": format_gbp(banded.uplift.fee),
            "payments": format_gbp(banded.uplift.payments),
        },
        "clawback_rows": _clawback_rows(banded.clawback_rows),
        "clawbacks_total": format_gbp(banded.clawbacks_total),
        "adjustments_total": format_gbp(banded.additional_adjustments),
        "reconcile_amount": format_gbp(banded.reconcile_amount),
        "counts": [
            ("Total starts", counts.started),
            ("Total retained", counts.retained),
            ("Total completed", counts.completed),
            ("Total extended", counts.extended),
            ("Total clawed back", counts.clawed_back),
            ("Total voided", counts.voided),
        ],
    }
    if calculation.mentor is not None:
        mentor = calculation.mentor
        context["mentor"] = {
            "output_rows": [
                {
                    "label": row.label,
                    "count": row.count,
                    "fee": format_gbp(row.fee),
                    "total": format_gbp(row.total),
                }
                for row in mentor.output_rows
            ],
            "output_total": format_gbp(mentor.output_fee),
            "clawback_rows": _clawback_rows(mentor.clawback_rows),
            "clawbacks_total": format_gbp(mentor.clawbacks_total),
        }
        context["declarations_summary"] = [
            {"label": label, "ects": ects, "mentors": "-" if mentors is None else mentors}
            for label, ects, mentors in calculation.declarations_summary()
        ]
    if contract is not None:
        context["contract"] = {
            "version": contract.version,
            "recruitment_target": contract.recruitment_target,
            "revised_target": revised_target(contract.recruitment_target),
            "uplift_target": None
            if contract.uplift_amount is None or contract.uplift_target is None
            else f"{(contract.uplift_target * 100).normalize():f}%",
            "uplift_amount": None if contract.uplift_amount is None else format_gbp(contract.uplift_amount),
            "set_up_fee": format_gbp(contract.set_up_fee),
            "monthly_service_fee": None
            if contract.monthly_service_fee is None
            else format_gbp(contract.monthly_service_fee),
            "bands": [
                {
                    "letter": band.band,
                    "min": "floor" if band.min is None else band.min,
                    "max": band.max,
                    "per_participant": format_gbp(band.per_participant),
                }
                for band in bands
            ],
        }
    if mentor_contract is not None:
        context["mentor_contract"] = {
            "version": mentor_contract.version,
            "recruitment_target": mentor_contract.recruitment_target,
            "payment_per_participant": format_gbp(mentor_contract.payment_per_participant),
        }
    return context


def statement_label(statement) -> str:
    """How messages and pages name a statement: provider, month and cohort."""
    return statement.label
