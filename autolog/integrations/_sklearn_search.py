"""Hyperparameter searches (GridSearchCV, RandomizedSearchCV, the Halving searches): what their run records.

The search's run gets ``best_<param>`` params, ``best_cv_score`` and ``cv_results.csv``
(written with the csv module: no pandas import). The top ``max_tuning_runs`` candidates
by rank each get a small child run — params, mean/std test scores, rank and timings —
written straight through the client (one create, one batch, one end per child), never
a run per fold.
"""

from __future__ import annotations

import csv
import os
import sys
import time

from .._patching import AUTOLOG_TAG
from ._sklearn_metrics import describe, truncate

__all__ = ["is_search", "search_summary", "write_cv_results", "log_child_runs"]

_CHILD_METRIC_PREFIXES = ("mean_test_", "std_test_", "rank_test_", "mean_train_", "std_train_")
_CHILD_TIMINGS = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")


def is_search(estimator) -> bool:
    """True for a fitted sklearn hyperparameter search (a BaseSearchCV with ``cv_results_``)."""
    search = sys.modules.get("sklearn.model_selection._search")
    return search is not None and isinstance(estimator, search.BaseSearchCV) and hasattr(estimator, "cv_results_")


def search_summary(search) -> tuple:
    """(params, metrics) for the search's run: ``best_<name>`` params and ``best_cv_score``."""
    params = {f"best_{name}": truncate(str(describe(value)))
              for name, value in (getattr(search, "best_params_", None) or {}).items()}
    metrics = {}
    score = getattr(search, "best_score_", None)
    if score is not None:
        metrics["best_cv_score"] = float(score)
    return params, metrics


def _cell(value) -> str:
    import numpy as np

    if value is np.ma.masked:
        return ""
    if isinstance(value, dict):
        return str(describe(value))
    return str(value)


def write_cv_results(search, directory: str) -> str:
    """Write ``cv_results_`` as ``cv_results.csv`` in ``directory`` (one row per candidate); return the name.

    Raises OSError when the file cannot be written.
    """
    results = search.cv_results_
    columns = list(results)
    count = len(results["params"])
    with open(os.path.join(directory, "cv_results.csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in range(count):
            writer.writerow([_cell(results[column][row]) for column in columns])
    return "cv_results.csv"


def _rank_key(search, results) -> str:
    refit = getattr(search, "refit", True)
    preferred = f"rank_test_{refit}" if isinstance(refit, str) else "rank_test_score"
    if preferred in results:
        return preferred
    return next((key for key in results if key.startswith("rank_test_")), "")


def _child_metrics(results, index: int) -> dict:
    metrics = {}
    for key, values in results.items():
        if key.startswith(_CHILD_METRIC_PREFIXES) or key in _CHILD_TIMINGS:
            value = values[index]
            if value is not None and value == value:  # NaN scores (a failed fit) are left out
                metrics[key] = float(value)
    return metrics


def log_child_runs(search, parent_run_id: str, max_runs, extra_tags=None) -> list:
    """One finished child run of ``parent_run_id`` per top-ranked candidate (all when ``max_runs`` is None).

    Returns the child run ids. Raises StoreError / InvalidInputError from the store.
    """
    from ..tracking import Client, Metric, Param, RunTag
    from ..tracking.run_context import PARENT_RUN_ID

    results = search.cv_results_
    rank_key = _rank_key(search, results)
    if not rank_key or max_runs == 0:
        return []
    order = sorted(range(len(results["params"])), key=lambda i: (results[rank_key][i], i))
    client = Client()
    experiment_id = client.get_run(parent_run_id).info.experiment_id
    base = type(getattr(search, "estimator", search)).__name__
    children = []
    for index in order[:max_runs]:
        tags = {PARENT_RUN_ID: parent_run_id, AUTOLOG_TAG: "sklearn", **(extra_tags or {})}
        run = client.create_run(experiment_id, tags=tags, run_name=f"{base}-candidate-{index}")
        params = [Param(str(name), truncate(str(describe(value)))) for name, value in results["params"][index].items()]
        now = int(time.time() * 1000)
        metrics = [Metric(key, value, now, 0) for key, value in _child_metrics(results, index).items()]
        client.log_batch(run.info.run_id, metrics=metrics, params=params,
                         tags=[RunTag("autolog.search.candidate_index", str(index))])
        client.set_terminated(run.info.run_id, "FINISHED")
        children.append(run.info.run_id)
    return children
