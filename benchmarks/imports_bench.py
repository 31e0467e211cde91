"""What a fresh script pays once: importing, first use of the store, enabling, the first autologged training.

Each is timed as the first thing its fresh process does (after the framework's own
import where that applies), so the clock sees every module the statements pull in.
``import autolog`` alone loads a lazy stub, so the like-for-like figure is the import
together with the first use: opening a store and starting and ending a run.
"""

from __future__ import annotations

import os
import time

from benchmarks._spec import OWN_SUFFIX, Measure, Scenario, Target

# (set-up, timed statement): enabling is timed after xgboost is imported, since importing
# xgboost alone swings by several hundred milliseconds between fresh processes.
_FIRST_USE = {
    "autolog": "import autolog\nautolog.set_tracking_uri({store!r})\nautolog.set_experiment('bench')\n"
               "with autolog.start_run():\n    autolog.log_param('a', 1)",
    "mlflow": "import mlflow\nmlflow.set_tracking_uri('sqlite:///' + {store!r} + '.db')\nmlflow.set_experiment('bench')\n"
              "with mlflow.start_run():\n    mlflow.log_param('a', 1)",
}
_STATEMENTS = {
    "import": {"autolog": ("", "import autolog"), "mlflow": ("", "import mlflow")},
    "enable": {
        "baseline": ("import xgboost", "pass"),
        "autolog": ("import xgboost", "import autolog\nautolog.xgboost()"),
        "mlflow": ("import xgboost", "import mlflow.xgboost\nmlflow.xgboost.autolog(silent=True)"),
    },
}


def _timed_exec(which: str, mode: str, workdir: str = ".") -> dict:
    if which == "first-use":
        setup, statement = "", _FIRST_USE[mode].format(store=os.path.join(workdir, f"store-{os.getpid()}"))
    else:
        setup, statement = _STATEMENTS[which][mode]
    namespace: dict = {}
    exec(compile(setup, f"<{which}-{mode}-setup>", "exec"), namespace)
    code = compile(statement, f"<{which}-{mode}>", "exec")
    start = time.perf_counter()
    exec(code, namespace)
    return {which: time.perf_counter() - start}


def _first_training(mode: str, params: dict, workdir: str) -> dict:
    """A script's first autologged xgboost training, each step of what autolog adds timed on its own."""
    import xgboost as xgb

    from benchmarks._common import make_regression

    features, target = make_regression(10_000, 20)
    dtrain, dvalid = xgb.DMatrix(features[:8000], label=target[:8000]), xgb.DMatrix(features[8000:], label=target[8000:])
    store = os.path.join(workdir, f"store-{os.getpid()}")
    steps = {}
    if mode == "autolog":
        steps["import"] = _seconds_of(lambda: __import__("autolog"))
        import autolog

        steps["store"] = _seconds_of(lambda: (autolog.set_tracking_uri(store), autolog.set_experiment("bench")))
        steps["enable"] = _seconds_of(autolog.xgboost)
        from benchmarks._accounting import install

        accounting = install()
        background = _BackgroundCpu()
    elif mode == "mlflow":
        steps["import"] = _seconds_of(lambda: __import__("mlflow.xgboost"))
        import mlflow

        steps["store"] = _seconds_of(lambda: (mlflow.set_tracking_uri("sqlite:///" + store + ".db"),
                                              mlflow.set_experiment("bench")))
        steps["enable"] = _seconds_of(lambda: mlflow.xgboost.autolog(silent=True))
    steps["train"] = _seconds_of(lambda: xgb.train({"max_depth": 6, "eta": 0.1, "tree_method": "hist"}, dtrain, 20,
                                                   evals=[(dvalid, "validation")], verbose_eval=False))
    steps["script"] = sum(steps.values())
    if mode == "autolog":
        parts = accounting.breakdown()
        steps.update({f"part:{part}": seconds for part, seconds in parts.items()})
        steps.update(background.seconds())
        steps["script" + OWN_SUFFIX] = steps["import"] + steps["store"] + steps["enable"] + sum(parts.values())
    return steps


class _BackgroundCpu:
    """CPU that autolog spends beside the training thread during the first training: the model warm-up thread's,
    and the git processes' that read the code's state (both compete with the training for the cores)."""

    def __init__(self):
        from autolog.integrations import _warm_up

        self._children_before = self._children()
        self.warm_up = 0.0
        original = _warm_up._import_all

        def accounted(flavor_name):
            started = time.thread_time()
            try:
                original(flavor_name)
            finally:
                self.warm_up += time.thread_time() - started

        _warm_up._import_all = accounted

    @staticmethod
    def _children() -> float:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def seconds(self) -> dict:
        """{measure name: CPU seconds} since this was made (the git state is read by the run's end)."""
        from autolog.integrations import _warm_up
        from autolog.tracking.run_context import git_state

        git_state().result(timeout=30)
        _warm_up.wait("xgboost")
        return {"background:warm-up": self.warm_up, "background:git": self._children() - self._children_before}


def _seconds_of(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


_PART_LABELS = {
    "run start and params": "— first run: store opened, run started, params and dataset logged",
    "per-iteration callbacks": "— the 20 iterations' metric callbacks",
    "outputs and model": "— first model saved (with signature, importance, artifacts)",
    "run end": "— run ended (last metrics, git tags, status)",
    "metric writer": "— metric writer thread (CPU)",
}

SCENARIOS = [
    Scenario(
        name="first-use", group="imports", title="import and first use",
        measures=(Measure("first-use", "import, open a store, start and end a run with a param"),),
        run=lambda mode, params, workdir: _timed_exec("first-use", mode, workdir),
        params={"quick": {}}, repeats={"full": (7, 3), "quick": (3, 1)}, modes=("autolog", "mlflow")),
    Scenario(
        name="first-training-xgboost", group="imports", title="a script's first autologged xgboost training",
        measures=(
            Measure("script", "whole script after `import xgboost`: 20 rounds on 10,000 rows, model logged",
                    target=Target("added_ms", 50)),
            Measure("import", "— `import autolog` (MLflow: `import mlflow.xgboost`)"),
            Measure("store", "— `set_tracking_uri` + `set_experiment`"),
            Measure("enable", "— `autolog.xgboost()`"),
            Measure("train", "— the training call (baseline: the training alone)"),
            *(Measure(f"part:{part}", label) for part, label in _PART_LABELS.items()),
            Measure("background:warm-up", "— beside the training: model-logging imports warmed up (thread CPU)"),
            Measure("background:git", "— beside the training: git processes reading the code's state (CPU)"),
        ),
        run=_first_training, params={"quick": {}}, repeats={"full": (7, 3), "quick": (3, 1)},
        notes={"mlflow": "every step is timed on its own, in order, in one fresh process; the parts of our "
                         "training call come from the in-process accounting (`benchmarks/_accounting.py`)"}),
    Scenario(
        name="import", group="imports", title="import the library",
        measures=(Measure("import", "`import autolog` (MLflow: `import mlflow`); ours is a lazy stub, see "
                                    "*import and first use* for a like-for-like figure"),),
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
