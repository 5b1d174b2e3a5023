"""Who is acting: passed to every service so that each history row records it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


class ActorKind:
    PROVIDER_TOKEN = "provider_token"
    STAFF_USER = "staff_user"
    COMMAND = "command"

    choices = [
        (PROVIDER_TOKEN, "Lead provider token"),
        (STAFF_USER, "Staff user"),
        (COMMAND, "Command"),
    ]


@dataclass(frozen=True)
class Actor:
    kind: str
    id: str
    user: Any = None  # the staff user, when kind is staff_user
    lead_provider_id: int | None = None  # the provider, when kind is provider_token

    @classmethod
    def provider(cls, token) -> "Actor":
        # The token's primary key, never its value.
        return cls(ActorKind.PROVIDER_TOKEN, str(token.pk), lead_provider_id=token.lead_provider_id)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(ActorKind.STAFF_USER, str(user.pk), user=user)

    @classmethod
    def command(cls, name: str) -> "Actor":
        return cls(ActorKind.COMMAND, name)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


_current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)


def current_actor() -> Actor | None:
    return _current_actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Makes `actor` visible to field-audit history (simple-history) written inside the block."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)
