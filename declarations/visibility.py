"""Reads of the stored declaration visibility: which declarations a provider sees, as one indexed range.

`visible_declarations` answers what `declarations.selectors.visible_declarations` computes (v3), and with
`include_leaving=False` the v1/v2 rule (own declarations, plus live ones of people the provider trains on an
active or completed induction record). `visible_declaration_ids` is the same set as ids in the lists'
order (`created_at`, then id), straight from the `declaration_visibility_order` index, for a page's ids
(deferred join or keyset). `drift` compares the stored rows with a recomputation.
"""

import uuid
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from declarations.models import Declaration, DeclarationVisibility, VisibilityRule, computed_visibility_sql


def _rows(*, lead_provider, include_leaving: bool) -> QuerySet[DeclarationVisibility]:
    rows = DeclarationVisibility.objects.filter(lead_provider=lead_provider)
    if not include_leaving:
        rows = rows.exclude(rule=VisibilityRule.LEAVING)
    return rows


def visible_declarations(*, lead_provider, include_leaving: bool = True) -> QuerySet[Declaration]:
    """The declarations the provider sees: v3 by default; `include_leaving=False` for v1/v2."""
    return Declaration.objects.filter(
        pk__in=_rows(lead_provider=lead_provider, include_leaving=include_leaving).values("declaration_id")
    )


def visible_declaration_ids(*, lead_provider, include_leaving: bool = True) -> QuerySet:
    """The ids of the declarations the provider sees in the API lists' order (`created_at`, id), from the
    index alone: slice it for a page, or continue after a (created_at, id) with `created_at__gt` /
    `declaration_id__gt`."""
    return (
        _rows(lead_provider=lead_provider, include_leaving=include_leaving)
        .order_by("created_at", "declaration_id")
        .values_list("declaration_id", flat=True)
    )


def _key(value):
    """An id as one comparable value whatever the database hands back (a UUID, its text, or an integer)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return value


@dataclass(frozen=True)
class Drift:
    lead_provider_id: object
    declaration_id: object
    stored_rule: str | None  # None: missing from the stored rows
    expected_rule: str | None  # None: stored but the provider should not see it


def drift() -> list[Drift]:
    """Every (provider, declaration) pair whose stored rule differs from a recomputation."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lead_provider_id, declaration_id, rule FROM ("
            + computed_visibility_sql(where="1 = 1", columns=False)
            + ") computed (lead_provider_id, declaration_id, rule, created_at)"
        )
        expected = {(_key(lp), _key(d)): rule for lp, d, rule in cursor.fetchall()}
    stored = {
        (_key(lp), _key(d)): rule
        for lp, d, rule in DeclarationVisibility.objects.values_list(
            "lead_provider_id", "declaration_id", "rule"
        )
    }
    return [
        Drift(
            lead_provider_id=pair[0],
            declaration_id=pair[1],
            stored_rule=stored.get(pair),
            expected_rule=expected.get(pair),
        )
        for pair in sorted(set(expected) | set(stored), key=str)
        if expected.get(pair) != stored.get(pair)
    ]
