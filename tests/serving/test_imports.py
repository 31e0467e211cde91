"""Scoring stays out of the way until used: no engine, server or file library at import."""

import subprocess
import sys


def test_cli_flavors_and_serving_import_no_heavy_library():
    code = ("import sys, autolog.cli, autolog.serving, flavors.pyfunc\n"
            "print([m for m in ('pyspark', 'dask', 'pyarrow', 'starlette', 'uvicorn', 'pandas') if m in sys.modules])")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
