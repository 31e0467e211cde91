"""Errors raised by autolog.

    AutologError
     ├── InvalidInputError     bad key, value, filter, URI or argument (also a ValueError)
     ├── NotFoundError         no such experiment, run, model or artifact (also a LookupError)
     ├── AlreadyExistsError    a name that must be unique is taken
     └── StoreError            the store cannot be opened, migrated or written

Each class carries MLflow's ``error_code`` name (RESOURCE_DOES_NOT_EXIST...), which the
tracking server sends on the wire.
"""

__all__ = ["AutologError", "InvalidInputError", "NotFoundError", "AlreadyExistsError", "StoreError"]


class AutologError(Exception):
    """Base class of every error autolog raises on purpose."""

    error_code = "INTERNAL_ERROR"


class InvalidInputError(AutologError, ValueError):
    """An argument, key, value, filter or URI is malformed."""

    error_code = "INVALID_PARAMETER_VALUE"


class NotFoundError(AutologError, LookupError):
    """The experiment, run, model version or artifact does not exist."""

    error_code = "RESOURCE_DOES_NOT_EXIST"


class AlreadyExistsError(AutologError):
    """The name is already used by another experiment or registered model."""

    error_code = "RESOURCE_ALREADY_EXISTS"


class StoreError(AutologError):
    """The tracking store cannot be opened, migrated or written."""

    error_code = "INTERNAL_ERROR"

