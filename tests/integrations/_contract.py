"""The shared integration contract now lives in ``autolog.testing``; this name is kept for older imports."""

from autolog.testing import IntegrationContract  # noqa: F401
