"""S3 artifacts against a real S3 endpoint (moto's server on loopback): the repository itself, runs and
models in a bucket, and the registry copying versions inside the bucket."""

import os

import boto3
import numpy as np
import pytest

import autolog
import flavors
from autolog.tracking import stores
from autolog.tracking.artifacts import get_artifact_repository, s3

pytestmark = pytest.mark.single_store


def _objects(bucket: str, prefix: str = "") -> dict:
    client = boto3.client("s3", endpoint_url=os.environ["AUTOLOG_S3_ENDPOINT_URL"])
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"]: item for page in pages for item in page.get("Contents", ())}


def test_the_repository_puts_lists_gets_and_deletes(s3_bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(s3, "_PAGE_SIZE", 2)  # every listing below takes several pages
    (tmp_path / "dir" / "inner").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt", "inner/x.txt"):
        (tmp_path / "dir" / name).write_text(name)
    (tmp_path / "single.bin").write_bytes(b"\x00" * 10)
    repository = get_artifact_repository(f"s3://{s3_bucket}/root/run1")
    repository.log_artifacts(str(tmp_path / "dir"), "data")
    repository.log_artifact(str(tmp_path / "single.bin"))
    repository.log_artifact(str(tmp_path / "single.bin"), "deep/er")
    assert [(f.path, f.is_dir, f.file_size) for f in repository.list_artifacts()] == [
        ("data", True, None), ("deep", True, None), ("single.bin", False, 10)]
    assert [f.path for f in repository.list_artifacts("data")] == [
        "data/a.txt", "data/b.txt", "data/c.txt", "data/inner"]
    out = repository.download_artifacts("data", str(tmp_path / "out"))
    assert out == str(tmp_path / "out" / "data")
    assert sorted(os.listdir(out)) == ["a.txt", "b.txt", "c.txt", "inner"]
    assert (tmp_path / "out" / "data" / "inner" / "x.txt").read_text() == "inner/x.txt"
    assert open(repository.download_artifacts("deep/er/single.bin", str(tmp_path / "o2")), "rb").read() == b"\0" * 10
    with pytest.raises(autolog.NotFoundError):
        repository.download_artifacts("nothing", str(tmp_path / "o3"))
    with pytest.raises(autolog.InvalidInputError, match="leaves its root"):
        repository.log_artifact(str(tmp_path / "single.bin"), "../other-run")
    assert set(_objects(s3_bucket)) == {f"root/run1/{p}" for p in (
        "data/a.txt", "data/b.txt", "data/c.txt", "data/inner/x.txt", "single.bin", "deep/er/single.bin")}
    repository.delete_artifacts("data")
    assert [f.path for f in repository.list_artifacts()] == ["deep", "single.bin"]


def test_large_files_go_up_in_parts_and_come_back_whole(s3_bucket, tmp_path, monkeypatch):
    from boto3.s3.transfer import TransferConfig

    part = 5 * 1024 * 1024  # S3's smallest part
    monkeypatch.setattr(s3, "_transfer_config", lambda: TransferConfig(multipart_threshold=part,
                                                                       multipart_chunksize=part))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1024) * (11 * 1024))  # 11 MiB: three parts
    repository = get_artifact_repository(f"s3://{s3_bucket}/r")
    repository.log_artifact(str(big))
    assert _objects(s3_bucket)["r/big.bin"]["ETag"].strip('"').endswith("-3")
    back = repository.download_artifacts("big.bin", str(tmp_path / "back"))
    assert open(back, "rb").read() == big.read_bytes()


def test_s3_errors_name_the_problem(s3_bucket, tmp_path):
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(autolog.StoreError, match="NoSuchBucket"):
        get_artifact_repository("s3://no-such-bucket-here/x").log_artifact(str(tmp_path / "f.txt"))
    with pytest.raises(autolog.InvalidInputError, match="s3://bucket/prefix"):
        get_artifact_repository("s3:///nobucket")


def test_a_run_in_an_s3_experiment_logs_reads_and_registers_models(s3_bucket, tmp_path):
    from sklearn.linear_model import LinearRegression

    client = autolog.Client()
    experiment_id = client.create_experiment("s3-exp", artifact_location=f"s3://{s3_bucket}/exp")
    features, target = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    model = LinearRegression().fit(features, target)
    with autolog.start_run(experiment_id=experiment_id) as run:
        autolog.log_text("hello", "notes/readme.txt")
        autolog.log_dict({"a": 1}, "config.json")
        info = flavors.sklearn.log_model(model, "model", registered_model_name="s3-model")
    assert run.info.artifact_uri == f"s3://{s3_bucket}/exp/{run.info.run_id}"
    assert f"exp/{run.info.run_id}/model/MLmodel" in _objects(s3_bucket)
    listed = [f.path for f in client.list_artifacts(run.info.run_id) if f.path != "code"]  # code: a dirty tree's diff
    assert listed == ["config.json", "model", "notes"]
    assert open(client.download_artifacts(run.info.run_id, "notes/readme.txt", str(tmp_path))).read() == "hello"
    loaded = flavors.sklearn.load_model(info.model_uri)
    np.testing.assert_allclose(loaded.predict(features), model.predict(features))
    np.testing.assert_allclose(flavors.pyfunc.load_model("models:/s3-model/1").predict(features),
                               model.predict(features))


def test_a_postgresql_store_with_an_s3_root_registers_inside_the_bucket(postgres_server, s3_bucket, monkeypatch):
    from sklearn.tree import DecisionTreeRegressor

    monkeypatch.setenv("AUTOLOG_ARTIFACT_ROOT", f"s3://{s3_bucket}/team")
    uri = postgres_server.new_uri()
    autolog.set_tracking_uri(uri)
    try:
        features, target = np.arange(40.0).reshape(20, 2), np.arange(20.0) % 3
        model = DecisionTreeRegressor(max_depth=2).fit(features, target)
        autolog.set_experiment("team-exp")
        with autolog.start_run() as run:
            flavors.sklearn.log_model(model, "model")
        version = autolog.register_model(f"runs:/{run.info.run_id}/model", "team-model")
        assert version.storage_location == f"s3://{s3_bucket}/team/models/team-model/1"
        objects = _objects(s3_bucket)
        run_files = {k.rsplit("/model/", 1)[1] for k in objects if k.startswith(f"team/") and
                     f"/{run.info.run_id}/model/" in k}
        registry_files = {k.rsplit("/1/", 1)[1] for k in objects if k.startswith("team/models/team-model/1/")}
        assert registry_files == run_files and "MLmodel" in registry_files
        client = autolog.Client()
        client.transition_model_version_stage("team-model", 1, "Production")
        np.testing.assert_allclose(flavors.pyfunc.load_model("models:/team-model/Production").predict(features),
                                   model.predict(features))
        client.delete_model_version("team-model", 1)
        assert not _objects(s3_bucket, "team/models/team-model/")
    finally:
        autolog.set_tracking_uri(None)
        for key in [key for key in stores._stores if key[0] == uri]:
            stores._stores.pop(key).close()
