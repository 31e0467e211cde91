"""Client: experiments, runs, batches and artifacts."""

import json
import os

import pytest

import autolog
from autolog.tracking import Metric, Param, RunTag, ViewType


def test_experiments_create_get_search_delete_restore():
    client = autolog.Client()
    experiment_id = client.create_experiment("my-cool-experiment", tags={"team": "ml"})
    experiment = client.get_experiment(experiment_id)
    assert experiment.name == "my-cool-experiment" and experiment.tags == {"team": "ml"}
    assert client.get_experiment_by_name("missing") is None
    with pytest.raises(autolog.AlreadyExistsError, match="my-cool-experiment"):
        client.create_experiment("my-cool-experiment")
    names = [e.name for e in client.search_experiments()]
    assert names == ["Default", "my-cool-experiment"]
    client.delete_experiment(experiment_id)
    assert [e.name for e in client.search_experiments()] == ["Default"]
    assert [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)] == ["my-cool-experiment"]
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    with pytest.raises(autolog.NotFoundError, match="'999'"):
        client.get_experiment("999")
    with pytest.raises(autolog.InvalidInputError, match="default experiment"):
        client.delete_experiment("0")


def test_create_run_and_log_batch_is_all_or_nothing():
    client = autolog.Client()
    run = client.create_run("0", run_name="manual")
    client.log_batch(run.info.run_id, metrics=[Metric("m", 1.0, 1, 0)], params=[Param("p", "1")],
                     tags=[RunTag("t", "x")])
    with pytest.raises(autolog.InvalidInputError, match="bad key!"):
        client.log_batch(run.info.run_id, metrics=[Metric("ok", 2.0, 2, 0), Metric("bad key!", 1.0, 1, 0)])
    with pytest.raises(autolog.InvalidInputError, match="'p'"):
        client.log_batch(run.info.run_id, metrics=[Metric("ok", 2.0, 2, 0)], params=[Param("p", "2")])
    stored = client.get_run(run.info.run_id)
    assert stored.data.metrics == {"m": 1.0}
    assert stored.data.params == {"p": "1"}
    client.set_terminated(run.info.run_id)
    assert client.get_run(run.info.run_id).info.status == "FINISHED"


def test_writes_check_the_run_and_keep_nothing_when_it_is_missing_or_deleted():
    client = autolog.Client()
    run_id = client.create_run("0", run_name="checked").info.run_id
    client.log_batch(run_id, params=[Param("a", "1")])
    client.log_batch(run_id, params=[Param("a", "1"), Param("b", "2")], metrics=[Metric("m", 0.5, 1, 3)])
    assert client.get_run(run_id).data.params == {"a": "1", "b": "2"}  # the same value again is no change
    with pytest.raises(autolog.NotFoundError, match="no-such-run"):
        client.log_batch("no-such-run", params=[Param("a", "1")], tags=[RunTag("t", "x")])
    with pytest.raises(autolog.NotFoundError, match="no-such-run"):
        client.set_terminated("no-such-run")
    client.delete_run(run_id)
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        client.log_batch(run_id, metrics=[Metric("m", 9.0, 2, 9)], tags=[RunTag("t", "x")])
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        client._finish_run(run_id, "FAILED", points=[("m", 9.0, 2, 9)])
    stored = client.get_run(run_id)
    assert stored.data.metrics == {"m": 0.5} and "t" not in stored.data.tags
    assert stored.info.status == "RUNNING" and [p.step for p in client.get_metric_history(run_id, "m")] == [3]
    assert client.search_runs(["0"], run_view_type=ViewType.ALL, filter_string="tags.t = 'x'") == []


def test_runs_go_only_into_active_experiments():
    client = autolog.Client()
    experiment_id = client.create_experiment("retired")
    client.delete_experiment(experiment_id)
    with pytest.raises(autolog.InvalidInputError, match="retired"):
        client.create_run(experiment_id, tags={"t": "x"})
    with pytest.raises(autolog.NotFoundError, match="'424242'"):
        client.create_run("424242")
    client.restore_experiment(experiment_id)
    assert client.search_runs([experiment_id], run_view_type=ViewType.ALL) == []
    run = client.create_run(experiment_id, tags={"t": "x"})
    assert client.get_run(run.info.run_id).data.tags["t"] == "x"


def test_delete_and_restore_run():
    client = autolog.Client()
    with autolog.start_run() as run:
        pass
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs(["0"]) == []
    assert len(client.search_runs(["0"], run_view_type=ViewType.ALL)) == 1
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        client.log_param(run.info.run_id, "a", 1)
    client.restore_run(run.info.run_id)
    assert [r.info.run_id for r in client.search_runs("0")] == [run.info.run_id]
    with pytest.raises(autolog.NotFoundError):
        client.get_run("0123456789abcdef")


def test_artifacts_files_directories_dicts_text_and_download(tmp_path):
    model_file = tmp_path / "lin_reg.bin"
    model_file.write_bytes(b"\x00\x01model")
    folder = tmp_path / "preprocessor"
    (folder / "inner").mkdir(parents=True)
    (folder / "preprocessor.b").write_bytes(b"dv")
    (folder / "inner" / "x.txt").write_text("x")
    with autolog.start_run() as run:
        autolog.log_artifact(str(model_file), artifact_path="models_pickle")
        autolog.log_artifacts(str(folder), artifact_path="preprocessor")
        autolog.log_dict({"a": [1, 2]}, "config/params.json")
        autolog.log_dict({"a": 1}, "config/params.yaml")
        autolog.log_text("hello", "notes.txt")
    client = autolog.Client()
    run_id = run.info.run_id
    assert [f.path for f in client.list_artifacts(run_id)] == ["config", "models_pickle", "notes.txt", "preprocessor"]
    assert client.list_artifacts(run_id, "models_pickle")[0].file_size == 7
    out = client.download_artifacts(run_id=run_id, path="preprocessor", dst_path=str(tmp_path / "dl"))
    assert out == str(tmp_path / "dl" / "preprocessor")
    assert (tmp_path / "dl" / "preprocessor" / "inner" / "x.txt").read_text() == "x"
    single = client.download_artifacts(run_id, "config/params.json", str(tmp_path / "dl2"))
    assert json.loads(open(single).read()) == {"a": [1, 2]}
    assert "a: 1" in open(client.download_artifacts(run_id, "config/params.yaml")).read()
    with pytest.raises(autolog.NotFoundError, match="nothing-here"):
        client.download_artifacts(run_id, "nothing-here", str(tmp_path / "dl3"))


@pytest.mark.parametrize("bad", ["../outside", "a/../../outside", "/etc", "C:/x"])
def test_artifact_paths_cannot_escape_the_run(tmp_path, bad):
    source = tmp_path / "f.txt"
    source.write_text("x")
    with autolog.start_run():
        with pytest.raises(autolog.InvalidInputError, match="artifact path"):
            autolog.log_artifact(str(source), artifact_path=bad)
        with pytest.raises(autolog.InvalidInputError):
            autolog.log_text("x", bad + "/f.txt")
    assert not (tmp_path / "outside").exists()


def test_log_figure_saves_a_png():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with autolog.start_run() as run:
        autolog.log_figure(figure, "plots/curve.png")
    plt.close(figure)
    path = autolog.Client().download_artifacts(run.info.run_id, "plots/curve.png")
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_get_artifact_uri_points_into_the_store(artifact_root):
    with autolog.start_run() as run:
        uri = autolog.get_artifact_uri("model")
    assert uri == os.path.join(artifact_root, "0", run.info.run_id, "model")


def test_search_runs_dataframe_has_prefixed_columns():
    with autolog.start_run():
        autolog.log_param("alpha", "0.1")
        autolog.log_metric("rmse", 6.3)
        autolog.set_tag("model", "xgboost")
    frame = autolog.search_runs()
    assert {"run_id", "status", "metrics.rmse", "params.alpha", "tags.model"} <= set(frame.columns)
    assert frame.loc[0, "metrics.rmse"] == 6.3


def test_search_runs_without_pandas_returns_runs(monkeypatch):
    import sys

    with autolog.start_run() as run:
        autolog.log_metric("rmse", 6.3)
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises ImportError
    runs = autolog.search_runs()
    assert [r.info.run_id for r in runs] == [run.info.run_id]
