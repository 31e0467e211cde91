"""Errors raised by autolog.

    AutologError
     ├── InvalidInputError     bad key, value, filter, URI or argument (also a ValueError)
     ├── NotFoundError         no such experiment, run, model or artifact (also a LookupError)
     ├── AlreadyExistsError    a name that must be unique is taken
     └── StoreError            the store cannot be opened, migrated or written
"""

__all__ = ["AutologError", "InvalidInputError", "NotFoundError", "AlreadyExistsError", "StoreError"]


class AutologError(Exception):
    """Base class of every error autolog raises on purpose."""


class InvalidInputError(AutologError, ValueError):
    """An argument, key, value, filter or URI is malformed."""


class NotFoundError(AutologError, LookupError):
    """The experiment, run, model version or artifact does not exist."""


class AlreadyExistsError(AutologError):
    """The name is already used by another experiment or registered model."""


class StoreError(AutologError):
    """The tracking store cannot be opened, migrated or written."""
