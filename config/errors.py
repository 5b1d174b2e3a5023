"""The one error type of the domain. config/api/exceptions.py renders each subclass in the spec's envelope."""

from collections.abc import Iterable


class DomainError(Exception):
    """A refused request or use case. Subclasses set the status and the spec's title."""

    status_code = 422
    title = "Invalid action"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    def as_errors(self) -> list[dict[str, str]]:
        return [{"title": self.title, "detail": self.detail}]


class BadRequestError(DomainError):
    status_code = 400
    title = "Bad request"


class BadParameterError(DomainError):
    status_code = 400
    title = "Bad parameter"


class InvalidDataStructureError(BadRequestError):
    def __init__(self, detail: str = "correct json data structure required. See API docs for reference"):
        super().__init__(detail)


class InvalidActionError(DomainError):
    """A refused state transition: 422 with the title "Invalid action"."""


class AttributeErrors(DomainError):
    """Business validation failures keyed by attribute.

    One entry per attribute, in the order the attribute first failed; several distinct messages for one
    attribute are joined with ", ".
    """

    title = "Unprocessable entity"

    def __init__(self, errors: Iterable[tuple[str, str]] = ()):
        self.errors: dict[str, list[str]] = {}
        for attribute, message in errors:
            self.add(attribute, message)
        super().__init__(self._summary())

    def add(self, attribute: str, message: str) -> None:
        messages = self.errors.setdefault(attribute, [])
        if message not in messages:
            messages.append(message)
        self.detail = self._summary()

    def __bool__(self) -> bool:
        return bool(self.errors)

    def has(self, attribute: str) -> bool:
        return attribute in self.errors

    def _summary(self) -> str:
        return "; ".join(f"{attribute}: {', '.join(messages)}" for attribute, messages in self.errors.items())

    def as_errors(self) -> list[dict[str, str]]:
        return [
            {"title": attribute, "detail": ", ".join(messages)} for attribute, messages in self.errors.items()
        ]
