"""The public surface DESIGN.md promises, and the cost of importing it."""

import subprocess
import sys

import pytest

import autolog
import autolog.tracking

TRACKING_API = [
    "set_tracking_uri", "get_tracking_uri", "set_experiment", "start_run", "end_run", "active_run",
    "last_active_run", "log_param", "log_params", "log_metric", "log_metrics", "set_tag", "set_tags",
    "log_artifact", "log_artifacts", "log_dict", "log_text", "log_figure", "search_runs", "register_model",
    "Client", "ViewType",
]
CLIENT_METHODS = [
    "create_experiment", "get_experiment", "get_experiment_by_name", "search_experiments", "delete_experiment",
    "restore_experiment", "create_run", "get_run", "search_runs", "log_batch", "get_metric_history",
    "set_terminated", "delete_run", "restore_run", "list_artifacts", "download_artifacts",
    "create_registered_model", "get_registered_model", "search_registered_models", "create_model_version",
    "get_model_version", "get_latest_versions", "transition_model_version_stage", "update_model_version",
    "set_registered_model_alias", "get_model_version_by_alias", "delete_registered_model_alias",
    "set_model_version_tag", "delete_model_version",
]


@pytest.mark.parametrize("name", TRACKING_API + ["xgboost", "lightgbm", "sklearn", "enable"]
                         + ["catboost", "statsmodels", "hyperopt", "optuna", "integration"])
def test_autolog_exports(name):
    assert callable(getattr(autolog, name))
    assert name in dir(autolog)


@pytest.mark.parametrize("name", CLIENT_METHODS)
def test_client_methods(name):
    assert callable(getattr(autolog.Client, name))


def test_every_tracking_export_is_in_all():
    assert sorted(autolog.tracking.__all__) == sorted(set(autolog.tracking.__all__))
    for name in autolog.tracking.__all__:
        assert hasattr(autolog.tracking, name), name


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        autolog.no_such_thing  # noqa: B018


def test_import_leaves_frameworks_and_pandas_out():
    code = ("import sys, autolog, flavors, autolog.tracking\n"
            "autolog.xgboost(); autolog.lightgbm(); autolog.sklearn()\n"
            "heavy = [m for m in ('xgboost', 'lightgbm', 'sklearn', 'pandas', 'numpy', 'scipy', 'matplotlib')"
            " if m in sys.modules]\nprint(heavy)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_tracking_never_imports_flavors_or_integrations():
    code = ("import sys, autolog.tracking, autolog.tracking.uris, autolog.tracking.stores.sql_store\n"
            "print([m for m in sys.modules if m.startswith(('flavors', 'autolog.integrations', 'autolog._'))"
            " and m != 'autolog._containment'])")  # the stdlib-only path helper tracking and flavors share
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_enabling_the_collection_imports_no_framework_and_reads_no_entry_point_at_import():
    code = ("import sys, autolog, flavors\n"
            "assert 'autolog.integrations._registry' not in sys.modules\n"
            "autolog.catboost(); autolog.statsmodels(); autolog.hyperopt(); autolog.optuna(); autolog.enable()\n"
            "heavy = [m for m in ('catboost', 'statsmodels', 'hyperopt', 'optuna', 'xgboost', 'pandas', 'numpy')"
            " if m in sys.modules]\nprint(heavy)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_enabling_xgboost_after_its_import_loads_only_the_patching():
    pytest.importorskip("xgboost")
    code = ("import sys, xgboost\nbefore = set(sys.modules)\nimport autolog\nautolog.xgboost()\n"
            "import xgboost.training\nassert type(xgboost.train).__name__ == 'function'\n"
            "print(sorted(m for m in set(sys.modules) - before"
            " if m.startswith(('autolog.tracking', 'flavors', 'wrapt', 'yaml', 'sqlite3', 'pandas'))))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"  # the store, the model format and wrapt wait for the first training
