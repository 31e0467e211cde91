"""Opening a store and logging runs loads only plain tracking; the store's other features load on first use
and mean exactly what they would if every feature module had been imported up front."""

import subprocess
import sys
import textwrap

FEATURE_MODULES = (
    "autolog.tracking.stores.sql_registry", "autolog.tracking.stores.sql_logged_models",
    "autolog.tracking.stores.sql_tokens", "autolog.tracking.stores.sql_transfer",
    "autolog.tracking.stores.sql_permissions", "autolog.tracking.stores.sql_model_versions",
    "autolog.tracking.registration", "autolog.tracking.registry_names", "autolog._containment", "json",
)


def _run(code: str, tmp_path) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_opening_a_store_and_logging_a_run_loads_no_feature_module(tmp_path):
    output = _run(f"""
        import sys
        import autolog
        autolog.set_tracking_uri("store")
        autolog.set_experiment("plain")
        with autolog.start_run():
            autolog.log_param("p", 1)
            autolog.log_metric("m", 1.0)
        print([m for m in {FEATURE_MODULES!r} if m in sys.modules])
        autolog.Client().create_registered_model("later")
        print("autolog.tracking.stores.sql_registry" in sys.modules)
    """, tmp_path)
    assert output.splitlines() == ["[]", "True"]


def test_a_fresh_process_opens_a_store_and_logs_a_run_without_uuid_getpass_or_hashlib(tmp_path):
    output = _run("""
        import sys
        before = set(sys.modules)  # whatever the interpreter's start-up loaded is not ours to judge
        import autolog
        autolog.set_tracking_uri("store")
        autolog.set_experiment("plain")
        with autolog.start_run():
            autolog.log_param("p", 1)
        print(sorted({"uuid", "getpass", "hashlib"} & (set(sys.modules) - before)))
    """, tmp_path)
    assert output == "[]"


def test_every_feature_method_resolves_as_an_eager_store_would(tmp_path):
    output = _run("""
        import inspect
        from autolog.tracking.stores.base import TrackingStore
        from autolog.tracking.stores.lazy_features import _LazyMethod
        from autolog.tracking.stores.sql_engine import SqliteDatabase
        from autolog.tracking.stores.sql_store import SqlStore
        import importlib
        from autolog.tracking.stores import sql_store

        core = {name for name, value in vars(SqlStore).items() if not isinstance(value, _LazyMethod)}
        mixins = [getattr(importlib.import_module(module, "autolog.tracking.stores"), mixin)
                  for module, mixin in sql_store._FEATURES]
        eager = type("Eager", (*mixins, TrackingStore), {})
        store = SqlStore(SqliteDatabase("t.db"), "artifacts")
        checked, wrong = 0, []
        for name in dir(eager):
            if name.startswith("__") or name in core:
                continue
            getattr(store, name)
            checked += 1
            if inspect.getattr_static(store, name) is not inspect.getattr_static(eager, name):
                wrong.append(name)
        print(checked > 60, wrong)
    """, tmp_path)
    assert output == "True []"


def test_no_two_features_define_a_name_so_their_order_only_decides_what_loads():
    import importlib

    from autolog.tracking.stores import sql_store

    seen: dict = {}
    for module, mixin in sql_store._FEATURES:
        cls = getattr(importlib.import_module(module, "autolog.tracking.stores"), mixin)
        names = {name for klass in cls.__mro__ if klass is not object for name in vars(klass)
                 if not name.startswith("__")}
        clashes = {name: seen[name] for name in names if name in seen}
        assert not clashes, f"{module} redefines {clashes}"
        seen.update(dict.fromkeys(names, module))


def test_a_scripts_first_autologged_training_loads_no_search_registry_or_history_module(tmp_path):
    output = _run("""
        import sys
        import numpy as np
        import xgboost as xgb
        import autolog
        autolog.set_tracking_uri("store")
        autolog.xgboost()
        rng = np.random.default_rng(0)
        data = xgb.DMatrix(rng.normal(size=(200, 4)), label=rng.normal(size=200))
        xgb.train({"max_depth": 2}, data, 3, evals=[(data, "train")], verbose_eval=False)
        unused = ("sql_search", "sql_run_data", "sql_metric_history", "sql_registry", "sql_model_versions",
                  "registry_names", "search")
        print([name for name in unused if f"autolog.tracking.stores.{name}" in sys.modules
               or f"autolog.tracking.{name}" in sys.modules])
        run = autolog.last_active_run()  # reading the run back loads what reading needs
        print(sorted(run.data.metrics), run.outputs.model_outputs[0].model_id.startswith("m-"))
    """, tmp_path)
    assert output.splitlines() == ["[]", "['train-rmse'] True"]


def test_a_name_no_feature_has_is_an_attribute_error(tmp_path):
    output = _run("""
        from autolog.tracking.stores.sql_engine import SqliteDatabase
        from autolog.tracking.stores.sql_store import SqlStore

        store = SqlStore(SqliteDatabase("t.db"), "artifacts")
        try:
            store.no_such_method
        except AttributeError as exc:
            print("no_such_method" in str(exc))
    """, tmp_path)
    assert output == "True"
