"""Two real processes registering versions of one model, and promoting versions, at the same time."""

import os
import subprocess
import sys
import textwrap
import time

import autolog
from autolog.tracking import Client

_WORKER = textwrap.dedent("""
    import os, sys, time
    import autolog
    start_file, action, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = autolog.Client()
    while not os.path.exists(start_file):
        time.sleep(0.001)
    for i in range(count):
        if action == "register":
            print(autolog.register_model(sys.argv[4], "shared").version, flush=True)
        else:
            version = int(sys.argv[4 + i % 2])
            client.transition_model_version_stage("shared", version, "Production", archive_existing_versions=True)
""")


def _run_together(tmp_path, tracking_dir, argument_lists) -> list:
    start_file = tmp_path / "go"
    env = {**os.environ, "AUTOLOG_TRACKING_URI": str(tracking_dir)}
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(start_file), *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for args in argument_lists]
    time.sleep(0.3)
    start_file.write_text("go")
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outputs.append(out.split())
    return outputs


def _model_uri():
    with autolog.start_run() as run:
        autolog.log_text("weights", "model/model.bin")
        autolog.log_text("flavors:\n  custom: {data: model.bin}\n", "model/MLmodel")
    return f"runs:/{run.info.run_id}/model"


def test_concurrent_registrations_get_distinct_versions(tmp_path, tracking_dir):
    uri = _model_uri()
    first, second = _run_together(tmp_path, tracking_dir, [["register", "8", uri], ["register", "8", uri]])
    assert sorted(int(v) for v in first + second) == list(range(1, 17))
    versions = Client().search_model_versions("name = 'shared'")
    assert len({v.storage_location for v in versions}) == 16
    assert all(os.path.exists(os.path.join(v.storage_location, "model.bin")) for v in versions)


def test_concurrent_promotions_leave_one_production_version(tmp_path, tracking_dir):
    uri = _model_uri()
    for _ in range(4):
        autolog.register_model(uri, "shared")
    _run_together(tmp_path, tracking_dir, [["promote", "20", "1", "2"], ["promote", "20", "3", "4"]])
    stages = [v.current_stage for v in Client().search_model_versions("name = 'shared'")]
    assert stages.count("Production") == 1 and stages.count("Archived") == 3
