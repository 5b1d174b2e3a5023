"""Ports: how an app asks, at run time, for something only an app above it can do.

The apps import only downwards (see the README's architecture section). When a lower app's use case needs a
higher app (a declaration's submission puts its line on the next statement, which is the statements app's
business), the lower app declares what it needs as a `typing.Protocol` in its `ports.py`, with a `Port`
slot; the higher app implements the protocol and installs it in its `AppConfig.ready()`. The call is an
ordinary synchronous call inside the caller's transaction.
"""

from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Port(Generic[T]):
    def __init__(self, protocol: type[T], *, implemented_by: str):
        """`implemented_by` names the module that implements and installs it, for readers and errors."""
        self.protocol = protocol
        self.implemented_by = implemented_by
        self._implementation: T | None = None

    def install(self, implementation: T) -> None:
        if not isinstance(
            implementation, self.protocol
        ):  # runtime-checkable protocols: every method is there
            raise ImproperlyConfigured(f"{implementation!r} does not implement {self.protocol.__name__}.")
        self._implementation = implementation

    def __call__(self) -> T:
        if self._implementation is None:
            raise ImproperlyConfigured(
                f"No {self.protocol.__name__} is installed: {self.implemented_by} installs it when its app "
                "is ready (is that app in INSTALLED_APPS?)."
            )
        return self._implementation
