"""Paid statements are frozen: their calculation is stored as JSON and read back from it.

`StatementCalculation.to_json_dict()` writes every Decimal as an exact string; `calculation_from_json` turns
that back into the same dataclasses, so screens render a snapshot with the very code that renders a live
calculation.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from statements import calculations


@cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(calculations))


def _load(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return _load(options[0], value)
    if tp is Decimal:
        return Decimal(value)
    if tp is calculations.Layout:
        return calculations.Layout(value)
    if isinstance(tp, type) and is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{item.name: _load(hints[item.name], value[item.name]) for item in fields(tp)})
    if origin is tuple:
        args = typing.get_args(tp)
        return tuple(_load(args[0], item) for item in value)
    if origin in (Mapping, dict) or tp is Mapping:
        _, value_type = typing.get_args(tp)
        return {key: _load(value_type, item) for key, item in value.items()}
    return value


def calculation_from_json(figures: dict) -> calculations.StatementCalculation:
    return _load(calculations.StatementCalculation, figures)
