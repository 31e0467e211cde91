"""What the hyperparameter-search tests (hyperopt, Optuna) share: the runs a search left, and switching the
integration off after each test."""

import contextlib

import numpy as np
import pytest

import autolog

PARENT_TAG = "mlflow.parentRunId"


def parent_and_children() -> tuple:
    """(the top-level runs, the trial runs in trial-number order) of the store."""
    runs = autolog.search_runs(output_format="list")
    parents = [run for run in runs if PARENT_TAG not in run.data.tags]
    children = sorted((run for run in runs if PARENT_TAG in run.data.tags),
                      key=lambda run: int(run.data.tags["autolog.trial.number"]))
    return parents, children


def disabled_after_each_test(framework: str):
    """An autouse fixture that turns ``framework``'s integration off after each test of the module."""

    @pytest.fixture(autouse=True)
    def disable():
        yield
        autolog.integration(framework).enable(disable=True)

    return disable


@contextlib.contextmanager
def training_autologged(framework: str, rows: int):
    """``framework``'s training autologged (without models) inside the block, which receives ``rows`` × 3
    random features whose first column is the target."""
    autolog.integration(framework).enable(log_models=False)
    try:
        yield np.random.default_rng(0).random((rows, 3))
    finally:
        autolog.integration(framework).enable(disable=True)
