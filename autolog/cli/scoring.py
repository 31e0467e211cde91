"""``autolog models predict | serve | build-env``: batch scoring, the scoring server and model environments.

    autolog models predict -m MODEL_URI -i INPUT -o OUTPUT [--batch-size N] [--columns A B]
                           [--keep-columns [A B]] [--workers N] [--env-manager local|virtualenv]
    autolog models serve -m MODEL_URI [--host 127.0.0.1] [--port 5001] [--workers N] [--env-manager ...]
    autolog models build-env -m MODEL_URI
"""

from __future__ import annotations

import sys

from .argument_types import positive_int

__all__ = ["add_scoring_parsers"]

ENV_MANAGERS = ("local", "virtualenv")


def _model_options(parser, env_manager: bool = True) -> None:
    parser.add_argument("-m", "--model-uri", required=True,
                        help="path, runs:/<run_id>/model, models:/<name>/<version|stage> or models:/<name>@<alias>")
    if env_manager:
        parser.add_argument("--env-manager", choices=ENV_MANAGERS, default="local",
                            help="local: score in this environment (default); virtualenv: in one built from the "
                                 "model's requirements (see build-env)")


def add_scoring_parsers(models, store_option) -> None:
    """Add ``predict``, ``serve`` and ``build-env`` to the ``models`` subcommands."""
    predict = models.add_parser("predict", help="score a Parquet, CSV or JSON lines file in batches",
                                parents=[store_option()])
    _model_options(predict)
    predict.add_argument("-i", "--input-path", required=True,
                         help="input: .parquet, .csv, .jsonl (JSON lines) or a directory of Parquet files")
    predict.add_argument("-o", "--output-path", required=True,
                         help="output: .parquet, .csv, .jsonl, or a directory (Parquet part files)")
    predict.add_argument("--batch-size", type=positive_int, default=100_000, metavar="N",
                         help="rows scored at a time (default 100,000)")
    predict.add_argument("--columns", nargs="+", metavar="COLUMN",
                         help="the model's input columns (default: the signature's, else all)")
    predict.add_argument("--keep-columns", nargs="*", metavar="COLUMN",
                         help="input columns copied to the output (no names: all of them)")
    predict.add_argument("--workers", type=positive_int, default=1, metavar="N",
                         help="score in N processes (for models that use one core)")
    predict.set_defaults(handler=predict_command)
    serve = models.add_parser("serve", help="serve the model over HTTP (MLflow's scoring protocol)",
                              parents=[store_option()])
    _model_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("-p", "--port", type=positive_int, default=5001, help="port (default 5001)")
    serve.add_argument("--workers", type=positive_int, default=1, metavar="N", help="worker processes")
    serve.add_argument("--max-request-mb", type=positive_int, default=100, metavar="MB",
                       help="largest request body accepted (default 100 MB; larger ones get 413)")
    serve.set_defaults(handler=serve_command)
    build = models.add_parser("build-env", help="build a virtualenv from the model's requirements",
                              parents=[store_option()])
    _model_options(build, env_manager=False)
    build.set_defaults(handler=build_env_command)


def _use_store(args) -> None:
    from ..tracking import set_tracking_uri

    set_tracking_uri(args.tracking_uri)


def _local_model(args) -> str:
    from flavors._paths import resolve_model_dir

    _use_store(args)
    return resolve_model_dir(args.model_uri)


def _reexec(args, arguments: list) -> None:
    from ..serving._env import run_in_env

    run_in_env(args.model_uri, arguments, log=lambda text: print(f"autolog: {text}", file=sys.stderr))


def predict_command(args, out) -> None:
    """Score --input-path into --output-path and print a one-line summary."""
    if args.env_manager == "virtualenv":
        model_dir = _local_model(args)
        arguments = ["models", "predict", "-m", model_dir, "-i", args.input_path, "-o", args.output_path,
                     "--batch-size", str(args.batch_size), "--workers", str(args.workers)]
        arguments += ["--columns", *args.columns] if args.columns else []
        arguments += ["--keep-columns", *args.keep_columns] if args.keep_columns is not None else []
        args.model_uri = model_dir
        return _reexec(args, arguments)
    from ..serving._batch import predict_file
    from ..serving._progress import Progress

    _use_store(args)
    summary = predict_file(args.model_uri, args.input_path, args.output_path, batch_size=args.batch_size,
                           columns=args.columns, keep_columns=args.keep_columns, workers=args.workers,
                           progress=Progress())
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    print(f"scored {summary.rows:,} rows in {summary.batches} batch(es), {summary.seconds:.1f} s "
          f"({rate:,.0f} rows/s) -> {summary.output_path}", file=out)


def serve_command(args, out) -> None:
    """Serve the model until interrupted."""
    model_dir = _local_model(args)
    if args.env_manager == "virtualenv":
        args.model_uri = model_dir
        return _reexec(args, ["models", "serve", "-m", model_dir, "--host", args.host, "--port", str(args.port),
                              "--workers", str(args.workers), "--max-request-mb", str(args.max_request_mb)])
    from ..serving._server import serve

    print(f"serving {args.model_uri} on http://{args.host}:{args.port}/invocations", file=out, flush=True)
    serve(model_dir, host=args.host, port=args.port, workers=args.workers,
          max_request_bytes=args.max_request_mb * 1024 * 1024)


def build_env_command(args, out) -> None:
    """Build (or find) the model's virtualenv and print its interpreter."""
    from ..serving._env import build_env, env_python

    env_dir = build_env(_local_model(args), log=lambda text: print(f"autolog: {text}", file=sys.stderr))
    print(env_python(env_dir), file=out)
