"""The one base class for domain errors, carrying the HTTP status an endpoint should answer."""

from __future__ import annotations


class AppError(Exception):
    """A domain error; endpoints turn it into a response with `status_code`."""

    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(AppError):
    status_code = 404


class AccessDeniedError(AppError):
    status_code = 401


class InvalidRequestError(AppError):
    """Input that cannot be accepted; the message says why."""

    status_code = 400
