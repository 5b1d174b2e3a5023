"""Shared helpers of the sandbox seed: fixed ids, the acting command, idempotent bulk inserts."""

import datetime as dt
import random
import uuid
from collections.abc import Iterable, Sequence

from django.db import models
from simple_history.utils import bulk_create_with_history

from config.actors import Actor

COMMAND_NAME = "seed_sandbox"
ACTOR = Actor.command(COMMAND_NAME)
ACTOR_FIELDS = {"actor_kind": ACTOR.kind, "actor_id": ACTOR.id}

# Every id the seed makes is uuid5(NAMESPACE, "<kind>:<natural key>"), so a re-run finds the same rows.
NAMESPACE = uuid.UUID("5a9d4c1e-0c6f-4a43-9d0e-ecf5a9d0b000")
SEED = 2021
COHORT_YEARS = (2021, 2022, 2023, 2024, 2025)
RELATIONSHIP_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
BATCH_SIZE = 500


def sid(kind: str, *parts) -> uuid.UUID:
    """The deterministic id of one seeded row."""
    return uuid.uuid5(NAMESPACE, ":".join([kind, *(str(part) for part in parts)]))


def rng(area: str) -> random.Random:
    """One seeded generator per area, so that changing one area's data never reshuffles another's."""
    return random.Random(f"{SEED}:{area}")


def utc(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def _key(obj: models.Model, fields: Sequence[str]) -> tuple:
    return tuple(getattr(obj, field) for field in fields)


def missing(model: type[models.Model], objects: Iterable[models.Model], key: Sequence[str]) -> list:
    """The objects whose natural key (attnames) is not in the table yet (the first of each key)."""
    existing = set(model._default_manager.values_list(*key))
    seen: set[tuple] = set()
    new = []
    for obj in objects:
        obj_key = _key(obj, key)
        if obj_key in existing or obj_key in seen:
            continue
        seen.add(obj_key)
        new.append(obj)
    return new


def create_missing(
    model: type[models.Model], objects: Iterable[models.Model], key: Sequence[str], *, audited: bool = False
) -> list[models.Model]:
    """Inserts the objects whose natural key (attnames) is not in the table yet; returns those inserted.

    Audited models (simple-history) get their "+" history rows too, attributed to this command. Rows with
    a state field go through their own app's bulk creator instead (it writes their state history).
    """
    new = missing(model, objects, key)
    if not new:
        return []
    if audited:
        return bulk_create_with_history(
            new, model, batch_size=BATCH_SIZE, custom_historical_attrs=dict(ACTOR_FIELDS)
        )
    return model._default_manager.bulk_create(new, batch_size=BATCH_SIZE)


def pk_map(model: type[models.Model], key: Sequence[str], **filters) -> dict[tuple, object]:
    """Natural key → primary key of the rows of a table with auto-increment keys."""
    return {
        tuple(row[:-1]): row[-1] for row in model._default_manager.filter(**filters).values_list(*key, "pk")
    }
