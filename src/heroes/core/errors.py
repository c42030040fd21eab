"""Errors a user can cause, shown as one clear line rather than a traceback."""


class HeroesError(Exception):
    """A problem the user can fix: the message says what went wrong and what to do."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class NotFoundError(HeroesError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=404)


class PermissionDenied(HeroesError):
    def __init__(self, message: str = "You do not have permission to do this.") -> None:
        super().__init__(message, status_code=403)
