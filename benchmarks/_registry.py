"""The benchmark groups, in the order they run and appear in the report."""

from __future__ import annotations

import importlib

__all__ = ["GROUPS", "GROUP_TITLES", "find_scenario", "scenarios"]

# group name -> module defining SCENARIOS (a list of benchmarks._spec.Scenario)
GROUPS = {
    "imports": "benchmarks.imports_bench",
    "tracking": "benchmarks.tracking_bench",
    "search": "benchmarks.search_bench",
    "stores": "benchmarks.stores_bench",
    "models": "benchmarks.models_bench",
    "xgboost": "benchmarks.xgboost_bench",
    "lightgbm": "benchmarks.lightgbm_sklearn_bench",
    "sklearn": "benchmarks.lightgbm_sklearn_bench",
    "server": "benchmarks.server_bench",
    "ui": "benchmarks.ui_bench",
    "moving": "benchmarks.moving_bench",
    "plugins": "benchmarks.plugins_bench",
    "scoring": "benchmarks.scoring_bench",
}
GROUP_TITLES = {"stores": "Team stores",
                "imports": "Import time", "tracking": "Tracking", "search": "Search", "models": "Model format",
                "xgboost": "xgboost autologging", "lightgbm": "lightgbm autologging",
                "sklearn": "scikit-learn autologging", "server": "Tracking server", "ui": "Web UI",
                "moving": "Moving runs", "plugins": "CatBoost, statsmodels, hyperopt and Optuna autologging",
                "scoring": "Batch scoring and serving"}


def scenarios(groups=None) -> list:
    """The scenarios of ``groups`` (all groups when None), in report order."""
    chosen = list(GROUPS) if not groups else [g for g in GROUPS if g in groups]
    found, modules = [], []
    for group in chosen:
        module = GROUPS[group]
        if module not in modules:
            modules.append(module)
            found += [s for s in importlib.import_module(module).SCENARIOS if s.group in chosen]
    return found


def find_scenario(name: str):
    """The scenario called ``name``, or ``module:ATTRIBUTE`` naming a Scenario defined elsewhere."""
    if ":" in name:
        module, attribute = name.split(":", 1)
        return getattr(importlib.import_module(module), attribute)
    for module in dict.fromkeys(GROUPS.values()):
        for scenario in importlib.import_module(module).SCENARIOS:
            if scenario.name == name:
                return scenario
    raise KeyError(f"no benchmark scenario named {name!r}")
