"""Autologging for statsmodels: ``fit`` of every model class loaded by ``statsmodels.api``.

``autolog.statsmodels()`` (this module's :func:`autolog`) records, for each ``fit``:
the model class, its formula when built from one, and the ``fit`` arguments as params;
the summary statistics the results define (``aic``, ``bic``, ``llf``, ``rsquared``,
``rsquared_adj``, ``fvalue``, ``f_pvalue``, ``mse_resid``, ``nobs``...) and each
estimated coefficient as ``coef.<name>`` (up to 100) as metrics; a text summary as
``summary.txt`` (those statistics and the coefficient table, built from what the results
already hold); the training data's fingerprint; and the results object
through ``flavors.statsmodels`` (MLflow's statsmodels flavor can load it).
Nested fits (a model fitting another inside) log once, at the outer call.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import numbers

from .._integration import Integration
from .._patching import Hook
from . import _common

__all__ = ["autolog", "StatsmodelsIntegration", "INTEGRATION"]

_SUMMARY_METRICS = ("aic", "bic", "hqic", "llf", "rsquared", "rsquared_adj", "prsquared", "fvalue",
                    "f_pvalue", "mse_resid", "mse_model", "mse_total", "ssr", "nobs", "df_model", "df_resid",
                    "deviance", "pearson_chi2", "scale")
_MAX_COEFFICIENTS = 100
_EXAMPLE_ROWS = 5


class StatsmodelsIntegration(Integration):
    """Patches ``fit`` of every subclass of ``statsmodels.base.model.Model`` that defines its own."""

    name = "statsmodels"
    module = "statsmodels"
    supported_versions = ">=0.13, <1"

    def targets(self, framework) -> list:
        """Each model class's own ``fit``, once ``statsmodels.api`` has loaded the model modules."""
        importlib.import_module("statsmodels.api")
        base = importlib.import_module("statsmodels.base.model").Model
        hook = _FitHook()
        return [(cls, "fit", hook) for cls in _model_classes(base) if "fit" in cls.__dict__]


def _model_classes(base) -> list:
    seen, pending = [], [base]
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.append(cls)
            pending.extend(cls.__subclasses__())
    return seen


INTEGRATION = StatsmodelsIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of statsmodels fits; see DESIGN.md for options.

    Raises DidNotEnable when statsmodels is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))


def summary_metrics(results) -> dict:
    """The summary statistics ``results`` defines (each read alone: some raise for some models)."""
    metrics = {}
    inner = getattr(results, "_results", results)  # the statistics are scalars: no need for the pandas wrapper
    for name in _SUMMARY_METRICS:
        try:
            value = _f_pvalue(results) if name == "f_pvalue" else getattr(inner, name, None)
        except Exception:  # noqa: BLE001 - statsmodels computes these lazily; some are undefined per model
            continue
        if _is_number(value):
            metrics[name] = float(value)
    return metrics


def _f_pvalue(results):
    """``results.f_pvalue``; for a linear regression the same value from scipy.special directly (statsmodels goes
    through scipy.stats, whose per-call argument handling costs more than the rest of the statistics)."""
    inner = getattr(results, "_results", results)
    if not _regression_f_pvalue(type(inner)):
        return getattr(results, "f_pvalue", None)
    if inner.df_model == 0:
        return None
    from scipy import special

    return special.fdtrc(inner.df_model, inner.df_resid, inner.fvalue)


@functools.lru_cache(maxsize=256)
def _regression_f_pvalue(cls) -> bool:
    """True when results of class ``cls`` take ``f_pvalue`` from statsmodels' linear regression results."""
    from statsmodels.regression.linear_model import RegressionResults

    return inspect.getattr_static(cls, "f_pvalue", None) is RegressionResults.__dict__["f_pvalue"]


def coefficient_metrics(results) -> dict:
    """The estimated coefficients as ``coef.<name>`` (the first 100)."""
    params = getattr(results, "params", None)
    if params is None:
        return {}
    names = getattr(params, "index", None)
    if names is None:
        names = getattr(results.model, "exog_names", None) or [f"x{i}" for i in range(len(params))]
    values = list(getattr(params, "values", params))
    return {f"coef.{name}": float(value) for name, value in list(zip(names, values))[:_MAX_COEFFICIENTS]
            if _is_number(value)}


class _FitHook(Hook):
    """``Model.fit``: the model and fit arguments before; statistics, summary and results after."""

    def before(self, call, instance, args, kwargs):
        params = {"model_class": f"{type(instance).__module__}.{type(instance).__name__}"}
        formula = getattr(instance, "formula", None)
        if formula:
            params["formula"] = formula
        params.update({key: value for key, value in kwargs.items() if not hasattr(value, "shape")})
        tags = {}
        if call.options.log_datasets:
            with call.guard("fingerprinting the training data"):
                tags = _dataset_tags(call, instance)
        _common.log_params_and_tags(call, params, tags)
        return None

    def after(self, call, instance, args, kwargs, result):
        results = result
        statistics = summary_metrics(results)
        with call.guard("writing the summary"):
            _common.log_artifacts(call, texts={"summary.txt": _summary(results, statistics)})
        with call.guard("logging the model"):
            _log_model(call, instance, results)
        # queued last, so the points are written with the run's end rather than by a read while logging the model
        _common.IterationMetrics(call).log({**statistics, **coefficient_metrics(results)}, step=0)


def _summary(results, statistics: dict) -> str:
    """The summary text: built from the statistics at hand, or statsmodels' own for results without
    standard errors (a smoothing model's parameter dict...)."""
    from ._statsmodels_summary import summary_text

    try:
        return summary_text(results, statistics)
    except Exception:  # noqa: BLE001 - statsmodels raises many types for statistics a model does not define
        summary = results.summary()
        return summary.as_text() if hasattr(summary, "as_text") else str(summary)


def _dataset_tags(call, model) -> dict:
    from ._datasets import fingerprint

    exog, endog = getattr(model, "exog", None), getattr(model, "endog", None)
    if exog is None and endog is None:
        return {}
    data = exog if exog is not None else endog
    return _common.queue_training_dataset(call, fingerprint(data, endog if exog is not None else None))


def _example(model):
    from statsmodels.tsa.base.tsa_model import TimeSeriesModel

    if isinstance(model, TimeSeriesModel):
        return None
    data = getattr(model, "data", None)
    if getattr(model, "formula", None) and getattr(data, "frame", None) is not None:
        return data.frame.iloc[:_EXAMPLE_ROWS].copy()
    original = getattr(data, "orig_exog", None)
    if original is not None and hasattr(original, "iloc"):
        return original.iloc[:_EXAMPLE_ROWS].copy()
    exog = getattr(model, "exog", None)
    return None if exog is None else exog[:_EXAMPLE_ROWS]


def _log_model(call, model, results) -> None:
    options = call.options
    if not options.log_models:
        return
    example = _example(model) if options.log_model_signatures or options.log_input_examples else None

    def predict(rows):
        import numpy as np

        return np.asarray(results.predict(rows))

    _common.log_model(call, "statsmodels", results, example, predict, at_run_end=True)
