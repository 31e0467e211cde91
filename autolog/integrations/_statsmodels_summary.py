"""The text of ``summary.txt`` for a statsmodels fit, built from statistics the results already hold.

statsmodels' own ``results.summary()`` recomputes residual diagnostics (Omnibus, Jarque-Bera)
through scipy and lays its tables out cell by cell, which costs several times the fit
itself for a small OLS. This text carries the same header statistics and coefficient table
(coef, std err, t or z, P>|t|, 95 % interval) from the results' cached attributes, its p-values and
interval bounds evaluated with scipy.special where statsmodels' base formulas apply (the same values,
without scipy.stats' per-call overhead); the full statsmodels summary is one call away on the logged
model (``load_model(uri).summary()``).
"""

from __future__ import annotations

import functools
import inspect

__all__ = ["summary_text", "coefficient_columns"]

_WIDTH = 78
_MAX_ROWS = 1000
_ALPHA = 0.05  # the interval's level: 95 %, as statsmodels' summary
_COLUMNS = ("coef", "std err", "{stat}", "P>|{stat}|", "[0.025", "0.975]")


def _number(value: float) -> str:
    if value != value:
        return "nan"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-4):
        return f"{value:.3e}"
    return f"{value:.4f}"


def _statistic(value) -> str:
    """A header statistic: counts (nobs, degrees of freedom) as integers."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e12 else _number(value)


def _header(results, statistics: dict) -> list:
    model = results.model
    title = f"{type(model).__name__} results"
    lines = [title.center(_WIDTH), "=" * _WIDTH,
             f"{'Dep. Variable:':<22}{str(getattr(model, 'endog_names', None) or 'y'):>16}"]
    cells = [f"{name + ':':<22}{_statistic(value):>16}" for name, value in statistics.items()]
    for start in range(0, len(cells), 2):
        lines.append("  ".join(cells[start:start + 2]).rstrip())
    return lines


@functools.lru_cache(maxsize=256)
def _base_inference(cls) -> bool:
    """True when results of class ``cls`` compute p-values and intervals with statsmodels' base formulas (almost
    every model), which scipy.special evaluates directly, without scipy.stats' per-call argument handling."""
    from statsmodels.base.model import LikelihoodModelResults
    from statsmodels.regression.linear_model import RegressionResults

    return inspect.getattr_static(cls, "pvalues", None) is LikelihoodModelResults.__dict__["pvalues"] and \
        inspect.getattr_static(cls, "conf_int", None) in (LikelihoodModelResults.__dict__["conf_int"],
                                                          RegressionResults.__dict__["conf_int"])


def coefficient_columns(results) -> list:
    """[coef, std err, t or z, P>|t|, lower, upper] of fitted ``results`` as lists of floats: the values of
    ``results.pvalues`` and ``results.conf_int()``, computed with scipy.special where statsmodels' base
    formulas apply, else read from statsmodels."""
    import numpy as np

    inner = getattr(results, "_results", results)
    params = np.asarray(inner.params, dtype=float).ravel()
    bse = np.asarray(inner.bse, dtype=float).ravel()
    tvalues = np.asarray(inner.tvalues, dtype=float).ravel()
    if _base_inference(type(inner)):
        from scipy import special

        with np.errstate(all="ignore"):
            if inner.use_t:
                df_resid = getattr(inner, "df_resid_inference", inner.df_resid)
                pvalues = special.stdtr(df_resid, -np.abs(tvalues)) * 2
                quantile = special.stdtrit(df_resid, 1 - _ALPHA / 2)
            else:
                pvalues = special.ndtr(-np.abs(tvalues)) * 2
                quantile = special.ndtri(1 - _ALPHA / 2)
            lower, upper = params - quantile * bse, params + quantile * bse
    else:
        pvalues = np.asarray(inner.pvalues, dtype=float).ravel()
        interval = np.asarray(inner.conf_int(), dtype=float).reshape(len(params), 2)
        lower, upper = interval[:, 0], interval[:, 1]
    return [np.asarray(column, dtype=float).ravel().tolist()
            for column in (params, bse, tvalues, pvalues, lower, upper)]


def _coefficient_rows(results) -> list:
    columns = coefficient_columns(results)
    names = getattr(results.params, "index", None)
    if names is None:
        names = getattr(results.model, "exog_names", None) or [f"x{i}" for i in range(len(columns[0]))]
    rows = []
    for index, name in enumerate(list(names)[:_MAX_ROWS]):
        cells = "".join(f"{_number(column[index]):>11}" for column in columns)
        rows.append(f"{str(name)[:14]:<14}{cells}")
    return rows


def summary_text(results, statistics: dict) -> str:
    """The summary of fitted ``results``: ``statistics`` ({name: value}, the fit's summary metrics) and, where
    the results define standard errors, the coefficient table.

    Raises whatever statsmodels raises for statistics its model does not define (the caller falls back to
    statsmodels' own summary then).
    """
    lines = _header(results, statistics)
    stat = "t" if getattr(results, "use_t", True) else "z"
    lines += ["=" * _WIDTH, " " * 14 + "".join(f"{column.format(stat=stat):>11}" for column in _COLUMNS),
              "-" * _WIDTH, *_coefficient_rows(results), "=" * _WIDTH,
              f"Covariance type: {getattr(results, 'cov_type', 'nonrobust')}. Residual diagnostics: "
              f"load the logged model and call .summary()."]
    return "\n".join(lines) + "\n"
