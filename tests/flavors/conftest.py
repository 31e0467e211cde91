"""Small training data shared by the flavor tests."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def frame():
    """A 200-row DataFrame with three float columns and a binary label."""
    import pandas as pd

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.random((200, 3)), columns=["a", "b", "c"])
    label = (data["a"] + 0.3 * data["b"] > 0.6).astype(int)
    return data, label
