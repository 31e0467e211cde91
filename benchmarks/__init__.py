"""The autolog benchmark suite: ``python -m benchmarks [--quick] [--only GROUP ...]``.

One scenario module per group (``*_bench.py``); ``_harness`` runs each scenario in
fresh worker processes (``_worker``), alternating baseline, autolog and MLflow;
``_results``, ``_format``, ``_report`` and ``_chart`` turn the samples into the
console table, ``docs/benchmarks.md`` and ``docs/img/benchmarks.png``.
"""
