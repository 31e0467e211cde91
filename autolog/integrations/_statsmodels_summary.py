"""The text of ``summary.txt`` for a statsmodels fit, built from statistics the results already hold.

statsmodels' own ``results.summary()`` recomputes residual diagnostics (Omnibus, Jarque-Bera)
through scipy and lays its tables out cell by cell, which costs several times the fit
itself for a small OLS. This text carries the same header statistics and coefficient table
(coef, std err, t or z, P>|t|, 95 % interval) from the results' cached attributes; the full
statsmodels summary is one call away on the logged model (``load_model(uri).summary()``).
"""

from __future__ import annotations

import math

__all__ = ["summary_text"]

_WIDTH = 78
_MAX_ROWS = 1000
_COLUMNS = ("coef", "std err", "{stat}", "P>|{stat}|", "[0.025", "0.975]")


def _number(value) -> str:
    value = float(value)
    if math.isnan(value):
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


def _coefficient_rows(results) -> list:
    import numpy as np

    values = np.asarray(results.params, dtype=float).ravel()
    columns = [values] + [np.asarray(getattr(results, name), dtype=float).ravel()
                          for name in ("bse", "tvalues", "pvalues")]
    interval = np.asarray(results.conf_int(), dtype=float).reshape(len(values), 2)
    columns += [interval[:, 0], interval[:, 1]]
    names = getattr(results.params, "index", None)
    if names is None:
        names = getattr(results.model, "exog_names", None) or [f"x{i}" for i in range(len(values))]
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
