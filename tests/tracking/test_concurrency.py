"""Runs in threads, asyncio tasks and several processes, and metrics across exits and kills."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import autolog


def test_threads_have_their_own_active_runs():
    barrier = threading.Barrier(4)
    run_ids = {}
    errors = []

    def worker(index):
        try:
            with autolog.start_run(run_name=f"thread-{index}") as run:
                barrier.wait()
                for step in range(50):
                    autolog.log_metric("value", index, step=step)
                autolog.log_param("index", index)
                barrier.wait()
            run_ids[index] = run.info.run_id
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    client = autolog.Client()
    for index, run_id in run_ids.items():
        run = client.get_run(run_id)
        assert run.data.params == {"index": str(index)}
        history = client.get_metric_history(run_id, "value")
        assert len(history) == 50 and {m.value for m in history} == {index}
    assert autolog.active_run() is None


def test_asyncio_tasks_have_their_own_active_runs():
    async def task(index):
        with autolog.start_run() as run:
            await asyncio.sleep(0.01)
            autolog.log_param("task", index)
            await asyncio.sleep(0.01)
        return run.info.run_id

    async def main():
        return await asyncio.gather(*(task(i) for i in range(5)))

    run_ids = asyncio.run(main())
    params = [autolog.Client().get_run(run_id).data.params for run_id in run_ids]
    assert params == [{"task": str(i)} for i in range(5)]


_WRITER = textwrap.dedent("""
    import sys, autolog
    autolog.set_tracking_uri(sys.argv[1])
    autolog.set_experiment("shared")
    for r in range(int(sys.argv[2])):
        with autolog.start_run():
            autolog.log_params({"writer": sys.argv[3], "run": r})
            for step in range(200):
                autolog.log_metric("loss", 1.0 / (step + 1), step=step)
""")


def test_processes_logging_into_one_store_lose_nothing(tracking_dir):
    processes = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tracking_dir), "10", str(i)],
                                  stderr=subprocess.PIPE, text=True) for i in range(4)]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert "locked" not in stderr
    client = autolog.Client(str(tracking_dir))
    experiment = client.get_experiment_by_name("shared")
    runs = client.search_runs([experiment.experiment_id], max_results=1000)
    assert len(runs) == 40
    assert all(len(client.get_metric_history(run.info.run_id, "loss")) == 200 for run in runs)
    assert all(run.info.status == "FINISHED" for run in runs)


def test_buffered_metrics_survive_interpreter_exit_without_end_run(tracking_dir):
    script = ("import sys, autolog\nautolog.set_tracking_uri(sys.argv[1])\nrun = autolog.start_run()\n"
              "print(run.info.run_id)\nfor i in range(500): autolog.log_metric('m', i, step=i)\n")
    output = subprocess.run([sys.executable, "-c", script, str(tracking_dir)], capture_output=True, text=True,
                            check=True).stdout
    run = autolog.Client(str(tracking_dir)).get_run(output.strip())
    assert run.data.metrics == {"m": 499.0}
    assert run.info.status == "FINISHED"


def test_flushed_metrics_survive_a_killed_process(tracking_dir):
    script = ("import sys, time, autolog\nautolog.set_tracking_uri(sys.argv[1])\nrun = autolog.start_run()\n"
              "for i in range(100): autolog.log_metric('m', i, step=i)\nautolog.flush()\n"
              "print(run.info.run_id, flush=True)\ntime.sleep(60)\n")
    process = subprocess.Popen([sys.executable, "-c", script, str(tracking_dir)], stdout=subprocess.PIPE, text=True)
    run_id = process.stdout.readline().strip()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    history = autolog.Client(str(tracking_dir)).get_metric_history(run_id, "m")
    assert [m.value for m in history] == [float(i) for i in range(100)]


def test_background_writer_flushes_without_being_asked(tracking_dir):
    with autolog.start_run() as run:
        autolog.log_metric("m", 1.0)
        from autolog.tracking import stores

        store = stores.get_store(autolog.get_tracking_uri())
        deadline = time.monotonic() + 5  # pending() is 0 once the writer took the points, before they are written
        while store.get_run(run.info.run_id).data.metrics != {"m": 1.0} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.metric_buffer.pending() == 0
        assert store.get_run(run.info.run_id).data.metrics == {"m": 1.0}


def test_a_forked_child_writes_its_buffered_metrics_in_the_background(tracking_dir):
    import multiprocessing

    with autolog.start_run() as run:
        autolog.log_metric("parent", 1.0)  # the parent's writer thread is running now
    context = multiprocessing.get_context("fork")

    def child():
        autolog.start_run(run_id=run.info.run_id)
        for step in range(10):
            autolog.log_metric("child", step, step=step)
        time.sleep(2.5)  # no flush, no end_run: only the child's own writer thread can write these
        os._exit(0)

    process = context.Process(target=child)
    process.start()
    process.join(60)
    assert process.exitcode == 0
    history = autolog.Client().get_metric_history(run.info.run_id, "child")
    assert [m.value for m in history] == [float(i) for i in range(10)]
