"""The serving tests' models, shared with the engine tests."""

from tests.serving.conftest import models  # noqa: F401 - a fixture
