"""``autolog gc``: deleted runs and experiments go for good, with their files; live runs stay."""

import os
import time

import pytest

import autolog
from autolog.tracking.entities import ViewType


def _run_with_files(client, experiment_id, megabytes: int = 1) -> str:
    run = client.create_run(experiment_id)
    payload = os.urandom(megabytes * 1024 * 1024)
    client._log_bytes(run.info.run_id, payload, "blob.bin")
    client.log_batch(run.info.run_id, metrics=[autolog.tracking.entities.Metric("m", float(i), i, i)
                                               for i in range(2000)])
    client.set_terminated(run.info.run_id)
    return run.info.run_id


def _tree_size(path) -> int:
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, files in os.walk(path) for name in files)


def test_gc_returns_the_space_of_deleted_runs_and_leaves_live_ones(tracking_dir, run_cli):
    client = autolog.Client()
    experiment_id = client.create_experiment("work")
    live = _run_with_files(client, experiment_id)
    doomed = [_run_with_files(client, experiment_id) for _ in range(2)]
    gone_experiment = client.create_experiment("abandoned")
    in_gone_experiment = _run_with_files(client, gone_experiment)
    for run_id in doomed:
        client.delete_run(run_id)
    client.delete_experiment(gone_experiment)
    before = _tree_size(tracking_dir)

    status, out, _ = run_cli("gc", "--dry-run")
    assert status == 0 and "Would remove 3 deleted run(s) and 1 deleted experiment(s)" in out
    assert _tree_size(tracking_dir) == before

    status, out, _ = run_cli("gc")
    assert status == 0 and "Removed 3 deleted run(s) and 1 deleted experiment(s); 3.0 MiB of artifacts" in out
    assert before - _tree_size(tracking_dir) > 3 * 1024 * 1024
    remaining = client.search_runs([experiment_id, gone_experiment], run_view_type=ViewType.ALL)
    assert [run.info.run_id for run in remaining] == [live]
    assert len(client.get_metric_history(live, "m")) == 2000
    assert client.download_artifacts(live, "blob.bin", str(tracking_dir.parent / "dl"))
    assert client.get_experiment_by_name("abandoned") is None
    for run_id in doomed + [in_gone_experiment]:
        assert not any(run_id in dirs for _, dirs, _ in os.walk(tracking_dir))
    status, out, _ = run_cli("gc")
    assert "Removed 0 deleted run(s)" in out


def test_gc_older_than_keeps_recent_deletions(tracking_dir, run_cli, capsys):
    client = autolog.Client()
    experiment_id = client.create_experiment("work")
    old, recent = (client.create_run(experiment_id).info.run_id for _ in range(2))
    client.delete_run(old)
    client.delete_run(recent)
    with client._store.db.write() as cur:
        cur.execute("UPDATE runs SET deleted_time = ? WHERE run_uuid = ?",
                    (int(time.time() * 1000) - 40 * 86_400_000, old))
    status, out, _ = run_cli("gc", "--older-than", "30d")
    assert status == 0 and "Removed 1 deleted run(s)" in out
    left = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [run.info.run_id for run in left] == [recent]
    with pytest.raises(SystemExit) as exited:
        run_cli("gc", "--older-than", "soon")
    assert exited.value.code == 2 and "expected a duration like 30d" in capsys.readouterr().err
