"""Many clients at once: 8 processes logging runs through one server lose nothing."""

import subprocess
import sys
import textwrap

import pytest

import autolog

WRITER = textwrap.dedent("""
    import sys
    import autolog
    autolog.set_tracking_uri(sys.argv[1])
    autolog.set_experiment("crowd")
    for index in range(3):
        with autolog.start_run(run_name=f"w{sys.argv[2]}-{index}"):
            autolog.log_params({"worker": sys.argv[2], "index": index})
            for step in range(400):
                autolog.log_metric("loss", step / 400, step=step)
                autolog.log_metrics({"a": step, "b": -step}, step=step)
            autolog.set_tag("done", "yes")
""")


@pytest.mark.slow
def test_eight_processes_lose_nothing(server):
    workers = [subprocess.Popen([sys.executable, "-c", WRITER, server.url, str(n)], stderr=subprocess.PIPE)
               for n in range(8)]
    for worker in workers:
        assert worker.wait(120) == 0, worker.stderr.read().decode()[-2000:]
    client = autolog.Client(server.url)
    experiment = client.get_experiment_by_name("crowd")
    runs = client.search_runs([experiment.experiment_id], max_results=100)
    assert sorted(run.info.run_name for run in runs) == sorted(f"w{n}-{i}" for n in range(8) for i in range(3))
    for run in runs:
        assert run.info.status == "FINISHED" and run.data.tags["done"] == "yes"
        assert run.data.metrics == {"loss": 399 / 400, "a": 399.0, "b": -399.0}
        history = client.get_metric_history(run.info.run_id, "loss")
        assert [m.step for m in history] == list(range(400))
        assert len(client.get_metric_history(run.info.run_id, "b")) == 400
