"""Run one scenario once, in this fresh process, and print its result as JSON.

    python -m benchmarks._worker SCENARIO MODE [--profile quick] [--workdir DIR] [--with-mlflow]

``MODE`` is ``baseline``, ``autolog``, ``mlflow`` or ``prepare``. The last line of
standard output is ``RESULT_PREFIX`` followed by ``{measure key: value}``.
"""

from __future__ import annotations

import argparse
import json
import sys

RESULT_PREFIX = "BENCH-RESULT "


def main(argv=None) -> int:
    """Parse the command line, run the scenario once and print its result line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._worker", description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("mode", choices=("baseline", "autolog", "mlflow", "prepare"))
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--workdir", default=".")
    parser.add_argument("--with-mlflow", action="store_true", help="prepare the MLflow side too")
    args = parser.parse_args(argv)
    from benchmarks._registry import find_scenario

    scenario = find_scenario(args.scenario)
    if args.mode == "prepare":
        scenario.prepare(scenario.params_for(args.profile, "autolog"), args.workdir, args.with_mlflow)
        result = {}
    else:
        result = scenario.run(args.mode, scenario.params_for(args.profile, args.mode), args.workdir)
    sys.stdout.write("\n" + RESULT_PREFIX + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
