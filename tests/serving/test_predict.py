"""``autolog models predict``: files in, files out, in batches, with clear errors."""

import io

import numpy as np
import pytest

from autolog.cli import main
from autolog.serving import predict_file
from autolog.serving._progress import Progress
from autolog.tracking.exceptions import InvalidInputError

from .conftest import COLUMNS, expected, make_frame

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

ROWS, BATCH = 700, 256  # three batches, the last one short


def _write(frame, path):
    if path.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    elif path.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)


def _read(path):
    if path.endswith(".csv"):
        return pd.read_csv(path)
    if path.endswith(".jsonl"):
        return pd.read_json(path, lines=True)
    return pd.read_parquet(path)


@pytest.mark.parametrize("flavor", ["xgboost", "lightgbm", "sklearn"])
@pytest.mark.parametrize("extension", ["parquet", "csv", "jsonl"])
def test_round_trip_in_batches(models, tmp_path, capsys, flavor, extension):
    frame = make_frame(ROWS)
    source, target = str(tmp_path / f"in.{extension}"), str(tmp_path / f"out.{extension}")
    _write(frame, source)
    status = main(["models", "predict", "-m", models[flavor], "-i", source, "-o", target,
                   "--batch-size", str(BATCH), "--keep-columns", "id"])
    assert status == 0
    assert f"scored {ROWS} rows in 3 batch(es)" in capsys.readouterr().out
    scored = _read(target)
    assert list(scored.columns) == ["id", "prediction"]
    assert scored["id"].tolist() == list(range(ROWS))
    np.testing.assert_allclose(scored["prediction"], expected(models[flavor], frame), rtol=1e-6)


def test_multi_output_model_gets_one_column_each_and_keeps_every_column(models, tmp_path):
    frame = make_frame(50)
    frame.to_parquet(tmp_path / "in.parquet")
    summary = predict_file(models["custom"], str(tmp_path / "in.parquet"), str(tmp_path / "out.csv"),
                           keep_columns=[])
    assert summary.rows == 50
    scored = pd.read_csv(tmp_path / "out.csv")
    assert list(scored.columns) == COLUMNS + ["id", "low", "high"]
    np.testing.assert_allclose(scored["high"] - scored["low"], 2.0)


def test_directory_of_parquet_files_in_and_out(models, tmp_path):
    (tmp_path / "in").mkdir()
    parts = [make_frame(100, seed) for seed in range(3)]
    for index, part in enumerate(parts):
        part.to_parquet(tmp_path / "in" / f"part-{index:05d}.parquet")
    (tmp_path / "in" / "_SUCCESS").write_text("")
    predict_file(models["xgboost"], str(tmp_path / "in"), str(tmp_path / "out"), batch_size=64)
    scored = pd.read_parquet(tmp_path / "out")
    np.testing.assert_allclose(scored["prediction"], expected(models["xgboost"], pd.concat(parts)), rtol=1e-6)


def test_missing_column_names_column_and_batch(models, tmp_path, capsys):
    make_frame(20).drop(columns="b").to_parquet(tmp_path / "in.parquet")
    status = main(["models", "predict", "-m", models["sklearn"], "-i", str(tmp_path / "in.parquet"),
                   "-o", str(tmp_path / "out.parquet")])
    assert status == 1
    error = capsys.readouterr().err
    assert "batch 1 (rows 1–20)" in error and "['b']" in error


def test_wrong_type_in_a_later_batch_names_column_and_batch(models, tmp_path):
    frame = make_frame(ROWS).astype({"c": object})
    frame.loc[600, "c"] = "oops"
    _write(frame, str(tmp_path / "in.jsonl"))
    with pytest.raises(InvalidInputError, match=r"batch 3 \(from row 513\).*column 'c' holds values of mixed types"):
        predict_file(models["lightgbm"], str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), batch_size=BATCH)


def test_column_of_the_wrong_type_names_column_and_batch(models, tmp_path):
    make_frame(ROWS).astype({"a": str}).to_parquet(tmp_path / "in.parquet")
    with pytest.raises(InvalidInputError, match=r"batch 1 \(rows 1–256\).*column 'a': the signature expects double"):
        predict_file(models["lightgbm"], str(tmp_path / "in.parquet"), str(tmp_path / "o.csv"), batch_size=BATCH)


def test_wrong_type_in_csv_names_column(models, tmp_path):
    frame = make_frame(30).astype({"b": object})
    frame.loc[7, "b"] = "n/a!"
    frame.to_csv(tmp_path / "in.csv", index=False)
    with pytest.raises(InvalidInputError, match=r"batch 1.*column 'b'.*invalid value 'n/a!'"):
        predict_file(models["xgboost"], str(tmp_path / "in.csv"), str(tmp_path / "out.csv"))


@pytest.mark.parametrize("name", ["empty.csv", "empty.parquet", "empty.jsonl"])
def test_empty_input_writes_empty_output(models, tmp_path, name):
    source = tmp_path / name
    if name.endswith(".parquet"):
        make_frame(0).to_parquet(source)
    else:
        source.write_text("")
    summary = predict_file(models["xgboost"], str(source), str(tmp_path / "out.parquet"), keep_columns=[])
    assert (summary.rows, summary.batches) == (0, 0)
    scored = pd.read_parquet(tmp_path / "out.parquet")
    assert len(scored) == 0 and "prediction" in scored.columns
    if name.endswith(".parquet"):
        assert list(scored.columns) == COLUMNS + ["id", "prediction"]


def test_unknown_extension_and_missing_input_are_clear(models, tmp_path):
    make_frame(5).to_parquet(tmp_path / "in.parquet")
    with pytest.raises(InvalidInputError, match=r"Cannot tell the format of .*\.xlsx"):
        predict_file(models["xgboost"], str(tmp_path / "in.parquet"), str(tmp_path / "out.xlsx"))
    with pytest.raises(LookupError, match="No input at"):
        predict_file(models["xgboost"], str(tmp_path / "nope.csv"), str(tmp_path / "out.csv"))


def test_keep_columns_naming_an_absent_column(models, tmp_path):
    make_frame(5).to_parquet(tmp_path / "in.parquet")
    with pytest.raises(InvalidInputError, match=r"--keep-columns names column\(s\) \['zzz'\]"):
        predict_file(models["xgboost"], str(tmp_path / "in.parquet"), str(tmp_path / "o.csv"), keep_columns=["zzz"])


def test_model_from_the_registry(models, tmp_path):
    import autolog
    import flavors
    import xgboost as xgb

    booster = xgb.Booster()
    booster.load_model(f"{models['xgboost']}/model.ubj")
    frame = make_frame(40)
    with autolog.start_run():
        info = flavors.xgboost.log_model(booster, "model", signature=flavors.infer_signature(frame[COLUMNS]),
                                         registered_model_name="nyc-taxi-regressor")
    frame.to_parquet(tmp_path / "in.parquet")
    predict_file("models:/nyc-taxi-regressor/1", str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"))
    np.testing.assert_allclose(pd.read_parquet(tmp_path / "out.parquet")["prediction"],
                               expected(info.model_uri, frame), rtol=1e-6)


@pytest.mark.slow
def test_worker_processes_keep_input_order(models, tmp_path):
    frame = make_frame(ROWS)
    frame.to_parquet(tmp_path / "in.parquet")
    summary = predict_file(models["sklearn"], str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"),
                           batch_size=100, keep_columns=["id"], workers=2)
    assert summary.batches == 7
    scored = pd.read_parquet(tmp_path / "out.parquet")
    assert scored["id"].tolist() == list(range(ROWS))
    np.testing.assert_allclose(scored["prediction"], expected(models["sklearn"], frame), rtol=1e-6)


def test_progress_line_on_a_terminal_only():
    stream = io.StringIO()
    progress = Progress(stream=stream, enabled=True)
    progress.update(5_000, 0.25)
    progress.close()
    text = stream.getvalue()
    assert "5,000 rows" in text and "rows/s" in text and "left" in text and text.endswith("\n")
    assert "25.0%" in text
    quiet = io.StringIO()
    Progress(stream=quiet).update(10, 0.5)  # StringIO is not a terminal
    assert quiet.getvalue() == ""
