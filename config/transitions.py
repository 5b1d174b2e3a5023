"""The one table of allowed moves of a state field, read by both kinds of writer.

A model lists its moves once, in a `Transitions` table next to its states. Its django-fsm methods take their
source and target states from the table (`@TRANSITIONS.transition(field=state)` looks the move up by the
method's name), and the set-based moves of the statement runs (`UPDATE … WHERE state = <source>`) look up
the same move by the same name. A move the table does not list can be made neither way.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django_fsm import transition as fsm_transition


class TransitionNotAllowedError(Exception):
    """A set-based move the table does not list: a programming error, never a user's."""


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str


class Transitions:
    def __init__(self, *moves: tuple[str, list[str] | tuple[str, ...], str]):
        """Each move is (name, source states, target state)."""
        self._by_name: dict[str, Transition] = {}
        for name, source, target in moves:
            if name in self._by_name:
                raise ValueError(f"Transition {name!r} is listed twice.")
            self._by_name[name] = Transition(name=name, source=tuple(source), target=target)

    def __getitem__(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise TransitionNotAllowedError(f"No transition named {name!r}.") from None

    def __iter__(self) -> Iterator[Transition]:
        return iter(self._by_name.values())

    def allows(self, source: str, target: str) -> bool:
        return any(source in move.source and move.target == target for move in self)

    def transition(self, *, field, **kwargs):
        """django-fsm's `@transition` with the source and target of the move named like the method."""

        def decorator(method):
            move = self[method.__name__]
            source = list(move.source) if len(move.source) > 1 else move.source[0]
            return fsm_transition(field=field, source=source, target=move.target, **kwargs)(method)

        return decorator
