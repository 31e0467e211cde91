"""Import time: ``import autolog`` against ``import mlflow``, and enabling xgboost autologging.

Each is the first thing its fresh process does, so the clock sees every module
the statement pulls in.
"""

from __future__ import annotations

import time

from benchmarks._spec import Measure, Scenario, Target

# (set-up, timed statement): enabling is timed after xgboost is imported, since importing
# xgboost alone swings by several hundred milliseconds between fresh processes.
_STATEMENTS = {
    "import": {"autolog": ("", "import autolog"), "mlflow": ("", "import mlflow")},
    "enable": {
        "baseline": ("import xgboost", "pass"),
        "autolog": ("import xgboost", "import autolog\nautolog.xgboost()"),
        "mlflow": ("import xgboost", "import mlflow.xgboost\nmlflow.xgboost.autolog(silent=True)"),
    },
}


def _timed_exec(which: str, mode: str) -> dict:
    setup, statement = _STATEMENTS[which][mode]
    namespace: dict = {}
    exec(compile(setup, f"<{which}-{mode}-setup>", "exec"), namespace)
    code = compile(statement, f"<{which}-{mode}>", "exec")
    start = time.perf_counter()
    exec(code, namespace)
    return {which: time.perf_counter() - start}


SCENARIOS = [
    Scenario(
        name="import", group="imports", title="import the library",
        measures=(Measure("import", "`import autolog` (MLflow: `import mlflow`)"),),
        run=lambda mode, params, workdir: _timed_exec("import", mode),
        params={"quick": {}}, repeats={"full": (7, 3), "quick": (3, 1)}, modes=("autolog", "mlflow")),
    Scenario(
        name="import-enable-xgboost", group="imports", title="enable xgboost autologging",
        measures=(Measure("enable", "import and enable autologging, xgboost already imported",
                          target=Target("added_ms", 30)),),
        run=lambda mode, params, workdir: _timed_exec("enable", mode),
        params={"quick": {}}, repeats={"full": (7, 3), "quick": (2, 0)},
        notes={"quick": "MLflow skipped (see `import mlflow` above and the full run)"}),
]
