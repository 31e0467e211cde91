"""``flavors.pyfunc.spark_udf`` on PySpark in local mode: results equal to in-process predict."""

import os
import shutil
import sys

import numpy as np
import pytest

import flavors
from tests.serving.conftest import COLUMNS, expected, make_frame, models  # noqa: F401 - models: a fixture

pytest.importorskip("pyspark", reason="pyspark is not installed (the [spark] extra)")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("JAVA_HOME"),
                                 reason="Spark needs a Java runtime (java on PATH or JAVA_HOME)")]


@pytest.fixture(scope="module")
def spark():
    """One lean local[2] session for the whole module (starting Spark is the slow part): no UI, no console
    progress, Arrow for pandas in and out."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("autolog-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def frame():
    return make_frame(400)


def test_every_flavor_scores_like_in_process_predict(spark, models, frame):
    from pyspark.sql.functions import struct

    data = spark.createDataFrame(frame).repartition(2)
    columns = []
    for flavor in ("xgboost", "lightgbm", "sklearn"):
        udf = flavors.pyfunc.spark_udf(spark, models[flavor], result_type="double")
        columns += [udf(struct(*COLUMNS)).alias(f"{flavor}_struct"), udf(*COLUMNS).alias(f"{flavor}_names"),
                    udf().alias(f"{flavor}_default")]
    scored = data.select("id", *COLUMNS, *columns).toPandas().sort_values("id")  # one Spark job for all
    for flavor in ("xgboost", "lightgbm", "sklearn"):
        want = expected(models[flavor], scored)
        for style in ("struct", "names", "default"):
            np.testing.assert_allclose(scored[f"{flavor}_{style}"], want, rtol=1e-6, err_msg=f"{flavor} {style}")


def test_multi_output_model_fills_a_struct(spark, models, frame):
    udf = flavors.pyfunc.spark_udf(spark, models["custom"], result_type="low double, high double")
    scored = spark.createDataFrame(frame).withColumn("out", udf(*COLUMNS)) \
        .select("id", "out.low", "out.high").toPandas().sort_values("id")
    want = expected(models["custom"], frame)
    np.testing.assert_allclose(scored["low"], want["low"], rtol=1e-9)
    np.testing.assert_allclose(scored["high"], want["high"], rtol=1e-9)


def test_schema_error_names_the_column(spark, models, frame):
    udf = flavors.pyfunc.spark_udf(spark, models["xgboost"])
    data = spark.createDataFrame(frame.astype({"b": str}))
    with pytest.raises(Exception, match="column 'b'"):
        data.withColumn("p", udf(*COLUMNS)).collect()
