"""The safe-patch machinery on a toy framework: import order, exact unpatching, runs, failures, strict mode."""

import dataclasses
import importlib
import logging
import sqlite3
import sys
import textwrap
import uuid

import pytest

import autolog
from autolog import _integration, _patching
from autolog._integration import DidNotEnable, Integration, Options, version_in_range
from autolog._patching import Hook, capture_internal_exceptions, safe_patch

TOY_SOURCE = textwrap.dedent('''
    __version__ = "1.2.0"
    calls = []

    def train(steps, fail=None):
        calls.append(steps)
        if fail is not None:
            raise fail
        return {"steps": steps}

    def outer(steps):
        return train(steps)

    class Model:
        def fit(self, steps):
            calls.append(("fit", steps))
            return self

    class Child(Model):
        pass
''')


class ToyHook(Hook):
    """Logs the step count as a param, one metric per step, and the result as a tag."""

    broken = None  # set to "before" or "after" to inject a bug

    def before(self, call, instance, args, kwargs):
        if self.broken == "before":
            raise RuntimeError("bug before")
        autolog.log_params({"steps": args[0]})
        for step in range(args[0]):
            autolog.log_metric("loss", 1.0 / (step + 1), step=step, run_id=call.run_id)

    def after(self, call, instance, args, kwargs, result):
        if self.broken == "after":
            raise RuntimeError("bug after")
        autolog.Client().set_tag(call.run_id, "result", result)


class ToyIntegration(Integration):
    name = "toy"
    supported_versions = ">=1.0, <2"

    def __init__(self, module: str):
        super().__init__()
        self.module = module
        self.hook = ToyHook()

    def targets(self, framework):
        return [(framework, "train", self.hook), (framework, "outer", self.hook),
                (framework.Model, "fit", self.hook)]


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A fresh, not yet imported toy framework module and an Integration for it; disabled afterwards."""
    name = f"toyframework_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(TOY_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    integration = ToyIntegration(name)
    yield integration
    integration.enable(disable=True)
    sys.modules.pop(name, None)


def _import(integration):
    return importlib.import_module(integration.module)


def _runs():
    return autolog.search_runs(output_format="list")


def test_enable_before_import_patches_on_import(toy):
    toy.enable()
    assert toy.module not in sys.modules and not toy.patches
    module = _import(toy)
    assert len(toy.patches) == 3
    assert module.train(3) == {"steps": 3}
    (run,) = _runs()
    assert run.data.params == {"steps": "3"} and run.info.status == "FINISHED"
    assert run.data.tags[_patching.AUTOLOG_TAG] == "toy"


def test_enable_after_import_patches_at_once(toy):
    module = _import(toy)
    toy.enable()
    module.train(2)
    assert len(_runs()) == 1


def test_enable_twice_wraps_once(toy):
    module = _import(toy)
    toy.enable()
    toy.enable(log_models=False)
    assert len(toy.patches) == 3
    assert module.train.__wrapped__ is toy.patches[0].original
    assert not toy.options.log_models
    module.train(1)
    assert len(_runs()) == 1


def test_disable_restores_the_original_objects(toy):
    module = _import(toy)
    originals = (module.train, module.outer, module.Model.__dict__["fit"])
    toy.enable()
    assert module.train is not originals[0]
    toy.enable(disable=True)
    toy.enable(disable=True)
    assert (module.train, module.outer, module.Model.__dict__["fit"]) == originals
    assert "fit" not in module.Child.__dict__
    module.train(1)
    assert _runs() == []


def test_disable_before_import_then_import_patches_nothing(toy):
    toy.enable()
    toy.enable(disable=True)
    module = _import(toy)
    assert not toy.patches and not hasattr(module.train, "__wrapped__")


def test_reenable_after_disable(toy):
    module = _import(toy)
    toy.enable()
    toy.enable(disable=True)
    toy.enable()
    module.train(1)
    assert len(_runs()) == 1 and len(toy.patches) == 3


def test_unpatch_leaves_a_foreign_wrapper_and_passes_through(toy):
    import wrapt

    module = _import(toy)
    toy.enable()
    wrapt.wrap_function_wrapper(module, "train", lambda wrapped, instance, args, kwargs: wrapped(*args, **kwargs))
    foreign = module.train
    toy.enable(disable=True)
    assert module.train is foreign
    assert module.train(1) == {"steps": 1}
    assert _runs() == []


def test_patching_an_inherited_method_deletes_it_on_removal(toy):
    module = _import(toy)
    patch = safe_patch(toy, module.Child, "fit", toy.hook)
    assert "fit" in module.Child.__dict__
    assert patch.remove() and "fit" not in module.Child.__dict__
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        safe_patch(toy, module, "missing", toy.hook)


def test_method_patch_receives_the_instance_and_returns_it(toy):
    module = _import(toy)
    toy.enable()
    model = module.Model()
    assert model.fit(4) is model
    assert _runs()[0].data.params == {"steps": "4"}


def test_plain_functions_get_plain_wrappers_and_descriptors_go_through_wrapt(toy):
    import inspect
    import pickle

    module = _import(toy)
    module.Model.build = classmethod(lambda cls, steps: cls().fit(steps))
    seen = []

    class Recorder(Hook):
        def before(self, call, instance, args, kwargs):
            seen.append((instance, args))

    toy.enable()
    build = safe_patch(toy, module.Model, "build", Recorder())
    assert type(module.train).__name__ == "function" and module.train.__name__ == "train"
    assert str(inspect.signature(module.train)) == "(steps, fail=None)"
    assert str(inspect.signature(module.Model().fit)) == "(steps)"
    assert pickle.loads(pickle.dumps(module.train)) is module.train
    model = module.Model()
    assert module.Model.fit(model, 2) is model  # called through the class, the instance is still the first argument
    assert isinstance(module.Model.build(3), module.Model)  # the classmethod kept its binding (wrapt)
    assert seen == [(module.Model, (3,))]
    # the classmethod's call logged once (its inner fit is nested), the fit called through the class once
    assert sorted(run.data.params.get("steps", "none") for run in _runs()) == ["2", "none"]
    assert build.remove() and module.Model.__dict__["build"].__class__ is classmethod


def test_nested_patched_calls_log_once(toy):
    module = _import(toy)
    toy.enable()
    module.outer(2)
    assert len(_runs()) == 1
    assert module.calls == [2]


def test_inside_a_user_run_logs_into_it_and_flushes_before_returning(toy, tracking_dir):
    module = _import(toy)
    toy.enable()
    with autolog.start_run() as run:
        module.train(3)
        assert autolog.active_run().info.run_id == run.info.run_id
        rows = sqlite3.connect(tracking_dir / "tracking.db").execute(
            "SELECT key, step FROM latest_metrics WHERE run_uuid = ?", (run.info.run_id,)).fetchall()
        assert rows == [("loss", 2)]
    (stored,) = _runs()
    assert stored.data.params == {"steps": "3"} and stored.data.tags[_patching.AUTOLOG_TAG] == "toy"


def test_exclusive_skips_user_runs(toy):
    module = _import(toy)
    toy.enable(exclusive=True)
    with autolog.start_run():
        module.train(1)
    assert _runs()[0].data.params == {}
    module.train(1)
    assert len(_runs()) == 2


def test_managed_run_has_extra_tags_and_is_the_last_active_run(toy):
    module = _import(toy)
    toy.enable(extra_tags={"team": "forecast"})
    module.train(1)
    last = autolog.last_active_run()
    assert last.data.tags["team"] == "forecast" and autolog.active_run() is None


def test_user_exception_propagates_unchanged_and_the_run_fails(toy):
    module = _import(toy)
    toy.enable()
    error = ValueError("bad data")
    with pytest.raises(ValueError) as raised:
        module.train(1, fail=error)
    assert raised.value is error
    assert module.calls == [1]
    assert autolog.last_active_run().info.status == "FAILED"
    assert autolog.active_run() is None


def test_keyboard_interrupt_marks_the_run_killed(toy):
    module = _import(toy)
    toy.enable()
    with pytest.raises(KeyboardInterrupt):
        module.train(1, fail=KeyboardInterrupt())
    assert autolog.last_active_run().info.status == "KILLED"


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_hook_bug_is_one_warning_and_the_call_completes(toy, monkeypatch, caplog, where):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    module = _import(toy)
    toy.enable()
    toy.hook.broken = where
    with caplog.at_level(logging.WARNING, logger="autolog"):
        assert module.train(2) == {"steps": 2}
    assert module.calls == [2]
    (record,) = [r for r in caplog.records if r.name == "autolog" and r.levelno >= logging.WARNING]
    assert f"bug {where}" in record.getMessage() and "toy autologging failed" in record.getMessage()
    assert autolog.last_active_run().info.status == "FINISHED"


def test_a_hook_bug_raises_in_strict_mode_after_calling_the_original_once(toy):
    module = _import(toy)
    toy.enable()
    toy.hook.broken = "after"
    with pytest.raises(RuntimeError, match="bug after"):
        module.train(2)
    assert module.calls == [2]
    assert autolog.active_run() is None


def test_silent_suppresses_the_warning(toy, monkeypatch, caplog):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    module = _import(toy)
    toy.enable(silent=True)
    toy.hook.broken = "before"
    with caplog.at_level(logging.WARNING, logger="autolog"):
        module.train(1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_unusable_store_is_one_warning(toy, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    (tmp_path / "not-a-dir").write_text("a file where the store folder should be")
    autolog.set_tracking_uri(str(tmp_path / "not-a-dir"))
    module = _import(toy)
    toy.enable()
    with caplog.at_level(logging.WARNING, logger="autolog"):
        assert module.train(1) == {"steps": 1}
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_version_outside_the_range_warns(toy, caplog):
    toy.supported_versions = ">=2"
    with caplog.at_level(logging.WARNING, logger="autolog"):
        toy.enable()
        _import(toy)
    assert any("outside the tested range >=2" in r.getMessage() for r in caplog.records)


def test_missing_framework_raises_did_not_enable(toy):
    toy.module = "no_such_framework_for_autolog"
    with pytest.raises(DidNotEnable, match="no_such_framework_for_autolog"):
        toy.enable()
    toy.enable(disable=True)


def test_bad_options_name_the_problem(toy):
    with pytest.raises(TypeError, match="'log_everything'"):
        toy.enable(log_everything=True)
    with pytest.raises(ValueError, match="'log_models' must be True or False"):
        toy.enable(log_models="yes")
    with pytest.raises(ValueError, match="extra_tags"):
        toy.enable(extra_tags=["a"])
    with pytest.raises(ValueError, match="registered_model_name"):
        toy.enable(registered_model_name="")
    assert Options.from_kwargs("toy", {"silent": True}).silent


class _PlainOptions(Options):
    rounds: int | None = 3

    def __post_init__(self):
        if self.rounds == 13:
            raise ValueError("unlucky rounds")


@dataclasses.dataclass(frozen=True)
class _DataclassOptions(Options):  # how a plugin may declare its own options
    rounds: int | None = 3


@pytest.mark.parametrize("options_class", [_PlainOptions, _DataclassOptions])
def test_an_options_subclass_adds_options_and_keeps_the_common_ones(options_class):
    made = options_class.from_kwargs("toy", {"silent": True, "rounds": 5})
    assert (made.silent, made.rounds, made.log_models) == (True, 5, True)
    assert options_class.from_kwargs("toy", {}).rounds == 3 and made != options_class.from_kwargs("toy", {})
    assert made == options_class.from_kwargs("toy", {"rounds": 5, "silent": True})
    with pytest.raises(ValueError, match="'rounds' must be an integer"):
        options_class.from_kwargs("toy", {"rounds": "many"})
    with pytest.raises(TypeError, match="'colour'.*known options: .*rounds"):
        options_class.from_kwargs("toy", {"colour": "red"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.silent = False
    assert "rounds=5" in repr(made)


def test_an_options_subclass_checks_its_own_values():
    with pytest.raises(ValueError, match="unlucky"):
        _PlainOptions.from_kwargs("toy", {"rounds": 13})

@pytest.mark.parametrize("version, spec, inside", [
    ("1.7.6", ">=1.7, <4", True), ("3.2.0", ">=1.7, <4", True), ("4.0.0", ">=1.7, <4", False),
    ("1.6", ">=1.7", False), ("2.1.0rc1", ">=2", True), ("2.0", "==2.0.0", True), ("2.0", "!=2", False),
])
def test_version_ranges_with_and_without_packaging(version, spec, inside):
    assert version_in_range(version, spec) is inside
    assert _integration._simple_in_range(version, spec) is inside


def test_unparsable_versions_count_as_supported():
    assert version_in_range("weird", ">=1") and _integration._simple_in_range("weird", ">=1")


def test_capture_internal_exceptions_warns_or_raises(monkeypatch, caplog):
    with pytest.raises(ZeroDivisionError):
        with capture_internal_exceptions("dividing"):
            1 / 0
    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    with caplog.at_level(logging.WARNING, logger="autolog"):
        with capture_internal_exceptions("dividing"):
            1 / 0
    assert "failed while dividing" in caplog.records[-1].getMessage()
    seen = []
    with capture_internal_exceptions("x", lambda what, exc: seen.append((what, type(exc)))):
        raise KeyError("k")
    assert seen == [("x", KeyError)]


def test_a_full_disk_during_logging_is_one_short_warning(toy, monkeypatch, caplog):
    import shutil

    def copy_failing_file_by_file(self, call, instance, args, kwargs):
        raise shutil.Error([(f"/src/file-{i}.bin", f"/dst/file-{i}.bin", "[Errno 28] No space left on device")
                            for i in range(500)])

    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    monkeypatch.setattr(ToyHook, "before", copy_failing_file_by_file)
    module = _import(toy)
    toy.enable()
    with caplog.at_level(logging.WARNING, logger="autolog"):
        assert module.train(2) == {"steps": 2}
    (record,) = [r for r in caplog.records if r.name == "autolog" and r.levelno >= logging.WARNING]
    assert "the disk is full" in record.getMessage() and len(record.getMessage()) < 200


class CommonHook(Hook):
    """Logs as the framework hooks do: the training set as a dataset input, then params and tags."""

    read_run_between = False

    def before(self, call, instance, args, kwargs):
        from autolog.integrations import _common

        tags = _common.queue_training_dataset(call, {"source": "numpy", "shape": [args[0], 2], "digest": "ab" * 16})
        if self.read_run_between:
            assert autolog.active_run().info.run_id == call.run_id  # reading the run writes it now
        _common.log_params_and_tags(call, {"steps": args[0], "objective": None}, {"phase": "fit", **tags})
        return (args[0] + 1,), kwargs  # what the original is called with


@pytest.mark.parametrize("read_run_between", [False, True])
def test_a_started_run_is_written_with_its_params_tags_and_dataset(toy, monkeypatch, read_run_between):
    from tests._store_writes import count_write_transactions

    module = _import(toy)
    toy.hook = CommonHook()
    toy.hook.read_run_between = read_run_between
    toy.enable()
    module.train(1)  # opens the store
    writes = count_write_transactions(monkeypatch)
    assert module.train(3) == {"steps": 4}
    assert len(writes) == (3 if read_run_between else 2)  # the run with what its hook logged first; its end
    run = autolog.last_active_run()
    assert run.info.status == "FINISHED"
    assert run.data.params == {"steps": "3", "objective": "None"}
    assert run.data.tags["phase"] == "fit" and run.data.tags["autolog.dataset.shape"] == "3x2"
    assert run.data.tags[_patching.AUTOLOG_TAG] == "toy" and run.data.tags["mlflow.runName"]
    (dataset_input,) = run.inputs.dataset_inputs
    assert dataset_input.dataset.digest == "ab" * 16 and dataset_input.tags[0].value == "train"


def test_a_run_that_cannot_be_created_leaves_the_call_as_the_user_made_it(toy, monkeypatch, caplog):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")
    module = _import(toy)
    toy.hook = CommonHook()
    toy.enable()
    experiment_id = autolog.set_experiment("gone").experiment_id
    autolog.Client().delete_experiment(experiment_id)  # the run's creation is refused
    with caplog.at_level(logging.WARNING, logger="autolog"):
        assert module.train(2) == {"steps": 2}  # not the hook's changed arguments
    (warning,) = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert "starting the run" in warning.getMessage() and "gone" in warning.getMessage()
    assert autolog.active_run() is None
    autolog.Client().restore_experiment(experiment_id)
    assert autolog.search_runs([experiment_id], output_format="list") == []


def test_a_bad_param_is_refused_before_the_run_is_written(toy, monkeypatch, caplog):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")

    class BadParamHook(Hook):
        def before(self, call, instance, args, kwargs):
            from autolog.integrations import _common

            _common.log_params_and_tags(call, {"bad key!": 1}, {})

    module = _import(toy)
    toy.hook = BadParamHook()
    toy.enable()
    with caplog.at_level(logging.WARNING, logger="autolog"):
        assert module.train(2) == {"steps": 2}
    assert "bad key" in caplog.text
    run = autolog.last_active_run()
    assert run.info.status == "FINISHED" and run.data.params == {}
