"""Nothing escapes the store: URI sub-paths, symbolic links and registration sources stay where they belong."""

import os

import pytest

import autolog
from autolog.tracking import Client, InvalidInputError, uris

MLMODEL = "flavors:\n  custom: {data: model.bin}\n"


def _logged_model():
    with autolog.start_run() as run:
        autolog.log_text(MLMODEL, "model/MLmodel")
        autolog.log_text("weights", "model/model.bin")
    return run.info.run_id


def _secret(tmp_path):
    secret = tmp_path / "home" / "u" / ".ssh"
    secret.mkdir(parents=True)
    (secret / "id_rsa").write_text("PRIVATE KEY")
    return secret


@pytest.mark.parametrize("suffix", ["../..", "model/../../..", "../../../../../home/u/.ssh", ".."])
def test_runs_uri_sub_path_cannot_leave_the_run(tmp_path, suffix):
    _secret(tmp_path)
    run_id = _logged_model()
    with pytest.raises(InvalidInputError, match="leaves the artifact root"):
        autolog.register_model(f"runs:/{run_id}/{suffix}", "stolen")
    with pytest.raises(InvalidInputError, match="leaves the artifact root"):
        uris.download_artifacts(f"runs:/{run_id}/{suffix}")
    assert Client().search_registered_models() == []


def test_a_sub_path_that_stays_inside_is_fine():
    run_id = _logged_model()
    version = autolog.register_model(f"runs:/{run_id}/model/../model", "inside")
    assert os.path.isfile(os.path.join(uris.download_artifacts("models:/inside/1/sub/../MLmodel")))
    assert version.version == "1"


@pytest.mark.parametrize("suffix", ["../..", "../../../../../elsewhere", "a/../../.."])
def test_models_uri_sub_path_cannot_leave_the_version(suffix):
    autolog.register_model(f"runs:/{_logged_model()}/model", "m")
    with pytest.raises(InvalidInputError, match="leaves the artifact root"):
        uris.download_artifacts(f"models:/m/1/{suffix}")
    with pytest.raises(InvalidInputError, match="leaves the artifact root"):
        uris.download_artifacts(f"models:/m@champion/{suffix}")


def test_register_model_refuses_a_source_without_mlmodel(tmp_path):
    secret = _secret(tmp_path)
    with pytest.raises(InvalidInputError, match=f"{secret}.*no MLmodel"):
        autolog.register_model(str(secret), "keys")
    with autolog.start_run() as run:
        autolog.log_text("x", "notes.txt")
    with pytest.raises(InvalidInputError, match="no MLmodel"):
        autolog.register_model(f"runs:/{run.info.run_id}", "root")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "MLmodel").write_text("just text")
    with pytest.raises(InvalidInputError, match="names no flavors"):
        autolog.register_model(str(broken), "broken")
    assert Client().search_registered_models() == []


def test_links_leaving_the_directory_are_refused_by_every_copy(tmp_path):
    _secret(tmp_path)
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text(MLMODEL)
    (model / "model.bin").symlink_to(tmp_path / "home" / "u" / ".ssh" / "id_rsa")
    with pytest.raises(InvalidInputError, match="symbolic link .*model.bin.*outside"):
        autolog.register_model(str(model), "linked")
    with autolog.start_run() as run, pytest.raises(InvalidInputError, match="outside"):
        autolog.log_artifacts(str(model), "copy")
    assert Client().list_artifacts(run.info.run_id) == []
    assert Client().search_registered_models() == []


def test_links_inside_the_directory_are_followed(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text(MLMODEL)
    (model / "real.bin").write_text("weights")
    (model / "model.bin").symlink_to(model / "real.bin")
    autolog.register_model(str(model), "ok")
    with open(os.path.join(uris.download_artifacts("models:/ok/1"), "model.bin")) as handle:
        assert handle.read() == "weights"
