"""Plain-Python rules of the product: no Qt, no SQL."""


class DomainError(ValueError):
    """A rule of the product refused an input; the message is meant for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
