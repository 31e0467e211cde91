"""``spark_udf``: score a Spark DataFrame with any model, across the cluster, through Arrow batches.

The model directory is broadcast to the executors once; each Python worker unpacks and
loads it once (see ``_shipping``) and scores an iterator of Arrow batches with it (a
pandas UDF). A struct ``result_type`` gets one field per output column of a
multi-output model. pyspark is imported only when ``spark_udf`` is called.
"""

from __future__ import annotations

from typing import Iterator, Tuple, Union

from ._errors import invalid_input

__all__ = ["spark_udf"]

_NUMPY_TYPES = {"DoubleType": "float64", "FloatType": "float32", "LongType": "int64", "IntegerType": "int32",
                "ShortType": "int16", "ByteType": "int8", "BooleanType": "bool", "StringType": "str"}


def _spark_type(result_type):
    """A pyspark DataType from a DataType or a type string (``"double"``, ``"a double, b double"``...)."""
    from pyspark.sql.types import DataType

    if isinstance(result_type, DataType):
        return result_type
    if not isinstance(result_type, str):
        raise invalid_input(f"result_type must be a pyspark DataType or a type string, got {result_type!r}")
    try:
        return DataType.fromDDL(result_type)
    except AttributeError:  # pyspark < 4
        from pyspark.sql.types import _parse_datatype_string

        return _parse_datatype_string(result_type)


def _input_frame(args, names):
    """One pandas DataFrame from the UDF's arguments: a struct arrives whole, columns arrive unnamed."""
    import pandas as pd

    if len(args) == 1 and isinstance(args[0], pd.DataFrame):
        return args[0]
    if names and len(args) > len(names):
        raise invalid_input(f"spark_udf got {len(args)} columns, but the model takes {len(names)}: {names}")
    labels = list(names[:len(args)]) if names else [str(index) for index in range(len(args))]
    return pd.DataFrame(dict(zip(labels, args)), copy=False)


def _as_spark(predictions, spark_type, output_names):
    """The model's predictions as the pandas Series or DataFrame a pandas UDF of ``spark_type`` returns."""
    import numpy as np
    import pandas as pd
    from pyspark.sql.types import ArrayType, StructType

    from ._outputs import prediction_columns

    if isinstance(spark_type, ArrayType):
        return pd.Series(list(np.asarray(predictions)))
    columns = prediction_columns(predictions, output_names)
    if isinstance(spark_type, StructType):
        fields = spark_type.fields
        if len(columns) < len(fields):
            raise invalid_input(f"The model returns {len(columns)} column(s) {list(columns)}, but result_type "
                                f"has {len(fields)} fields")
        values = [columns[f.name] if f.name in columns else list(columns.values())[i] for i, f in enumerate(fields)]
        return pd.DataFrame({field.name: _cast(value, field.dataType) for field, value in zip(fields, values)})
    return pd.Series(_cast(next(iter(columns.values())), spark_type))


def _cast(values, spark_type):
    import numpy as np

    target = _NUMPY_TYPES.get(type(spark_type).__name__)
    if target is None:
        return values
    if target == "str":
        return np.asarray(values).astype(str).astype(object)
    return np.asarray(values).astype(target, copy=False)


def _predict_batches(iterator, key, broadcast, names, params, spark_type, output_names):
    from ._shipping import load_shipped_model

    model = load_shipped_model(key, lambda: broadcast.value)
    for args in iterator:
        args = args if isinstance(args, tuple) else (args,)
        predictions = model.predict(_input_frame(args, names), params=params)
        yield _as_spark(predictions, spark_type, output_names)


def spark_udf(spark, model_uri, result_type="double", env_manager="local", params=None):
    """A pandas UDF scoring Spark rows with the model at ``model_uri``, as ``mlflow.pyfunc.spark_udf`` does.

    Call it with a struct (``udf(struct("a", "b"))``: named columns), with columns or names
    (``udf("a", "b")``: named in call order for names, else in the signature's order), or with
    nothing (the signature's input columns). ``result_type``: a pyspark DataType or a type
    string (``"double"``, ``"array<double>"``, ``"prediction double, proba double"`` for a
    multi-output model). Raises NotFoundError for a missing model and InvalidInputError for a
    bad result_type or an ``env_manager`` other than ``local``.
    """
    import pandas as pd
    from pyspark.sql.functions import col, pandas_udf, struct
    from pyspark.sql.types import StructType

    from ._outputs import output_names
    from ._paths import resolve_model_dir
    from ._shipping import pack_model_dir
    from .model import Model

    if env_manager not in ("local", None):
        raise invalid_input(f"spark_udf supports env_manager='local' only, got {env_manager!r}: build the "
                            "executors' environment from the model's requirements.txt instead")
    model_dir = resolve_model_dir(model_uri)
    metadata = Model.load(model_dir)
    schema = metadata.get_input_schema()
    names = schema.input_names() if schema is not None and schema.has_input_names() \
        and not schema.is_tensor_spec() else []
    outputs = output_names(type("Loaded", (), {"metadata": metadata})())
    spark_type = _spark_type(result_type)
    key, archive = pack_model_dir(model_dir)
    broadcast = spark.sparkContext.broadcast(archive)

    def predict(iterator):
        return _predict_batches(iterator, key, broadcast, names, params, spark_type, outputs)

    batch_type = pd.DataFrame if isinstance(spark_type, StructType) else pd.Series
    # pyspark picks the kind of pandas UDF (an iterator of batches) from the type hints.
    predict.__annotations__ = {"iterator": Iterator[Tuple[Union[pd.Series, pd.DataFrame], ...]],
                               "return": Iterator[batch_type]}
    udf = pandas_udf(predict, returnType=spark_type)

    def call(*columns):
        if not columns:
            if not names:
                raise invalid_input("The model has no input signature: pass the columns to score")
            columns = names
        if all(isinstance(column, str) for column in columns):
            return udf(struct(*[col(name) for name in columns]))
        return udf(*columns)

    call.__name__ = call.__qualname__ = "spark_udf"
    call.udf = udf
    return call
