"""Run the benchmark suite, print one table and write ``docs/benchmarks.md`` with its chart.

    python -m benchmarks [--quick] [--only GROUP ...] [--no-write] [--no-mlflow] [--output DIR]
                         [--save-results DIR]
    python -m benchmarks --from-results DIR [--output DIR]

MLflow is compared when ``import mlflow`` works in this interpreter (the
``[bench]`` extra); otherwise its columns say "not installed".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks._harness import byte_compile, mlflow_available, run_scenario
from benchmarks._registry import GROUPS, scenarios
from benchmarks._report import console_table, write_report
from benchmarks._results import rows_of

DOCS = Path(__file__).resolve().parent.parent / "docs"


def parse_args(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repetitions (< 2 minutes)")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # tiny sizes, for the test suite
    parser.add_argument("--only", nargs="+", choices=list(GROUPS), metavar="GROUP",
                        help=f"run only these groups: {', '.join(GROUPS)}")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--no-mlflow", action="store_true", help="skip MLflow even when it is installed")
    parser.add_argument("--output", default=None,
                        help="directory for benchmarks.md and img/ (default: docs, for a full run of every group; "
                             "a --quick or --only run writes only where --output says)")
    parser.add_argument("--save-results", metavar="DIR", default=None,
                        help="also write each group's results to DIR/<group>.json (with commit and machine)")
    parser.add_argument("--from-results", metavar="DIR", default=None,
                        help="run nothing: write the page (to --output, default docs) from DIR/<group>.json files")
    return parser.parse_args(argv)


def _from_results(args) -> int:
    """Write the page from saved group results."""
    from benchmarks._saved import load_results

    results, provenance = load_results(args.from_results)
    rows = rows_of(results)
    print(console_table(rows))
    if not args.no_write:
        profile = results[0].profile
        command = "python -m benchmarks --from-results DIR" + f" (group runs: --{profile})" * (profile != "full")
        print("wrote", write_report(rows, results, profile, command, args.output or str(DOCS), provenance))
    return 0


def main(argv=None) -> int:
    """Run the chosen groups and report; the exit status is 1 when a worker failed."""
    args = parse_args(argv)
    if args.from_results:
        return _from_results(args)
    profile = "smoke" if args.smoke else "quick" if args.quick else "full"
    use_mlflow = not args.no_mlflow and mlflow_available()
    started = time.perf_counter()
    byte_compile()
    results = []
    for scenario in scenarios(args.only):
        print(f"[{time.perf_counter() - started:6.1f} s] {scenario.name}", file=sys.stderr, flush=True)
        results.append(run_scenario(scenario, profile, use_mlflow,
                                    progress=lambda text: print(f"    {text}", file=sys.stderr, flush=True)))
    rows = rows_of(results)
    if args.save_results:
        from benchmarks._saved import save_group_results

        print("saved", ", ".join(save_group_results(results, profile, args.save_results)))
    print(console_table(rows))
    print(f"\n{time.perf_counter() - started:.0f} s in all ({profile}; MLflow "
          f"{'compared' if use_mlflow else 'not installed' if not mlflow_available() else 'skipped'})")
    output = args.output or (str(DOCS) if profile == "full" and not args.only else None)
    if output is None and not args.no_write:
        print("not writing docs/benchmarks.md from a partial run: pass --output DIR to keep this report")
    elif not args.no_write:
        command = " ".join(["python -m benchmarks"] + [f"--{profile}"] * (profile != "full")
                           + (["--only"] + args.only if args.only else []) + ["--no-mlflow"] * args.no_mlflow)
        print("wrote", write_report(rows, results, profile, command, output))
    return 1 if any(result.errors for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
