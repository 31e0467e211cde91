"""The model registry: models, versions, stages, aliases, tags, resolution of models:/ URIs."""

import os
import shutil

import pytest

import autolog
from autolog.tracking import AlreadyExistsError, Client, InvalidInputError, NotFoundError, uris


def _logged_model(text="weights-1"):
    """A run whose artifacts hold a 'model' directory; returns its runs:/ URI."""
    with autolog.start_run() as run:
        autolog.log_text("flavors:\n  custom: {data: model.bin}\n", "model/MLmodel")
        autolog.log_text(text, "model/model.bin")
    return f"runs:/{run.info.run_id}/model"


def _read(uri):
    with open(os.path.join(uris.download_artifacts(uri), "model.bin")) as handle:
        return handle.read()


def test_register_model_creates_the_model_and_numbers_versions():
    first = autolog.register_model(_logged_model("one"), "taxi", tags={"owner": "ana"})
    second = autolog.register_model(_logged_model("two"), "taxi")
    assert (first.version, second.version) == ("1", "2")
    assert first.status == "READY" and first.current_stage == "None" and first.tags == {"owner": "ana"}
    assert first.run_id and first.source.startswith("runs:/") and first.run_id in first.source
    assert [m.name for m in Client().search_registered_models()] == ["taxi"]


def test_versions_survive_deleting_the_runs_artifacts(artifact_root):
    uri = _logged_model("kept")
    version = autolog.register_model(uri, "taxi")
    shutil.rmtree(uris.resolve_artifact_location(uri))
    assert _read("models:/taxi/1") == "kept"
    assert Client().get_model_version_download_uri("taxi", 1) == version.storage_location
    assert version.storage_location.startswith(artifact_root)


def test_every_models_uri_form_resolves():
    client = Client()
    for text in ("v1", "v2", "v3"):
        autolog.register_model(_logged_model(text), "taxi")
    client.transition_model_version_stage("taxi", 1, "production")
    client.transition_model_version_stage("taxi", 2, "Staging")
    client.set_registered_model_alias("taxi", "champion", "2")
    assert _read("models:/taxi/1") == "v1"
    assert _read("models:/taxi/Production") == "v1"
    assert _read("models:/taxi/staging") == "v2"
    assert _read("models:/taxi@champion") == "v2"
    assert _read("models:/taxi/latest") == "v3"
    with pytest.raises(NotFoundError, match="stage 'Archived'"):
        uris.download_artifacts("models:/taxi/Archived")
    with pytest.raises(NotFoundError, match="no alias 'nope'"):
        uris.download_artifacts("models:/taxi@nope")
    with pytest.raises(NotFoundError, match="no version 9"):
        uris.download_artifacts("models:/taxi/9")
    with pytest.raises(NotFoundError, match="No registered model named 'other'"):
        uris.download_artifacts("models:/other/1")
    with pytest.raises(InvalidInputError, match="Invalid stage 'Prod'"):
        uris.download_artifacts("models:/taxi/Prod")


def test_registering_from_a_models_uri_or_a_local_path(tmp_path):
    autolog.register_model(_logged_model("orig"), "taxi")
    copied = autolog.register_model("models:/taxi/1", "taxi-copy")
    assert copied.run_id == Client().get_model_version("taxi", 1).run_id and _read("models:/taxi-copy/1") == "orig"
    local = tmp_path / "local-model"
    local.mkdir()
    (local / "model.bin").write_text("local")
    (local / "MLmodel").write_text("flavors:\n  custom: {data: model.bin}\n")
    version = autolog.register_model(str(local), "local")
    assert version.run_id is None and _read("models:/local/latest") == "local"


def test_stage_transitions_and_archive_existing():
    client = Client()
    for _ in range(3):
        autolog.register_model(_logged_model(), "taxi")
    client.transition_model_version_stage("taxi", 1, "Production")
    client.transition_model_version_stage("taxi", 2, "Production")
    assert [v.version for v in client.get_latest_versions("taxi", ["Production"])] == ["2"]
    moved = client.transition_model_version_stage("taxi", 3, "PRODUCTION", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    stages = {v.version: v.current_stage for v in client.search_model_versions("name = 'taxi'")}
    assert stages == {"1": "Archived", "2": "Archived", "3": "Production"}
    with pytest.raises(InvalidInputError, match="Invalid stage 'Live'"):
        client.transition_model_version_stage("taxi", 1, "Live")
    with pytest.raises(InvalidInputError, match="Staging and Production only"):
        client.transition_model_version_stage("taxi", 1, "Archived", archive_existing_versions=True)


def test_get_latest_versions_per_stage():
    client = Client()
    for _ in range(4):
        autolog.register_model(_logged_model(), "taxi")
    client.transition_model_version_stage("taxi", 1, "Staging")
    client.transition_model_version_stage("taxi", 2, "Production")
    latest = {v.current_stage: v.version for v in client.get_latest_versions("taxi")}
    assert latest == {"None": "4", "Staging": "1", "Production": "2"}
    assert [v.version for v in client.get_latest_versions("taxi", stages=["staging", "None"])] == ["1", "4"]
    assert [v.version for v in client.get_registered_model("taxi").latest_versions] == ["4", "1", "2"]
    with pytest.raises(NotFoundError):
        client.get_latest_versions("nope")


def test_aliases_move_and_disappear_with_their_version():
    client = Client()
    for _ in range(2):
        autolog.register_model(_logged_model(), "taxi")
    client.set_registered_model_alias("taxi", "champion", 1)
    client.set_registered_model_alias("taxi", "champion", 2)
    assert client.get_model_version_by_alias("taxi", "champion").version == "2"
    assert client.get_model_version("taxi", 2).aliases == ["champion"]
    assert client.get_registered_model("taxi").aliases == {"champion": "2"}
    client.delete_model_version("taxi", 2)
    with pytest.raises(NotFoundError, match="no alias 'champion'"):
        client.get_model_version_by_alias("taxi", "champion")
    client.set_registered_model_alias("taxi", "old", 1)
    client.delete_registered_model_alias("taxi", "old")
    assert client.get_registered_model("taxi").aliases == {}
    for bad in ("latest", "v3", "a/b", ""):
        with pytest.raises(InvalidInputError, match="Invalid alias"):
            client.set_registered_model_alias("taxi", bad, 1)


def test_descriptions_and_tags():
    client = Client()
    client.create_registered_model("taxi", tags={"team": "rides"}, description="fares")
    client.create_model_version("taxi", _logged_model(), description="first")
    client.update_model_version("taxi", 1, description="promoted on Monday")
    client.set_model_version_tag("taxi", 1, "validated", True)
    client.update_registered_model("taxi", description="fare model")
    client.set_registered_model_tag("taxi", "tier", 1)
    version = client.get_model_version("taxi", "1")
    assert version.description == "promoted on Monday" and version.tags == {"validated": "True"}
    model = client.get_registered_model("taxi")
    assert model.description == "fare model" and model.tags == {"team": "rides", "tier": "1"}
    client.delete_model_version_tag("taxi", 1, "validated")
    client.delete_registered_model_tag("taxi", "team")
    assert client.get_model_version("taxi", 1).tags == {} and client.get_registered_model("taxi").tags == {"tier": "1"}
    with pytest.raises(NotFoundError, match="no tag 'validated'"):
        client.delete_model_version_tag("taxi", 1, "validated")


def test_search_registered_models_and_versions():
    client = Client()
    for name in ("nyc-taxi", "nyc-bikes", "paris"):
        client.create_registered_model(name, tags={"city": name.split("-")[0]})
    client.create_model_version("nyc-taxi", _logged_model())
    run_uri = _logged_model()
    client.create_model_version("paris", run_uri)
    assert [m.name for m in client.search_registered_models("name LIKE 'nyc-%'")] == ["nyc-bikes", "nyc-taxi"]
    assert [m.name for m in client.search_registered_models("tags.city = 'paris'")] == ["paris"]
    assert [m.name for m in client.search_registered_models(order_by=["name DESC"], max_results=1)] == ["paris"]
    run_id = uris.parse_runs_uri(run_uri)[0]
    assert [(v.name, v.version) for v in client.search_model_versions(f"run_id = '{run_id}'")] == [("paris", "1")]
    assert len(client.list_registered_models()) == 3
    with pytest.raises(InvalidInputError, match="registered models have no metrics"):
        client.search_registered_models("metrics.x > 1")


def test_deleting_versions_and_models_removes_registry_copies():
    client = Client()
    for _ in range(2):
        autolog.register_model(_logged_model(), "taxi")
    first = client.get_model_version("taxi", 1).storage_location
    client.delete_model_version("taxi", 1)
    assert not os.path.exists(first)
    third = client.create_model_version("taxi", _logged_model())
    assert third.version == "3"  # numbers are never reused
    client.delete_registered_model("taxi")
    assert not os.path.exists(third.storage_location)
    with pytest.raises(NotFoundError):
        client.get_registered_model("taxi")
    assert autolog.register_model(_logged_model(), "taxi").version == "1"


def test_rename_keeps_versions_and_aliases():
    client = Client()
    autolog.register_model(_logged_model("r"), "taxi")
    client.set_registered_model_alias("taxi", "champion", 1)
    client.rename_registered_model("taxi", "fares")
    assert _read("models:/fares@champion") == "r"
    autolog.register_model(_logged_model("new"), "taxi")  # the old name is free, its files do not collide
    assert _read("models:/taxi/1") == "new" and _read("models:/fares/1") == "r"


@pytest.mark.parametrize("name", ["", "a/b", "a@b", "..", " padded", "x" * 300, None])
def test_invalid_model_names_are_named_in_the_error(name):
    with pytest.raises(InvalidInputError, match="Invalid model name"):
        Client().create_registered_model(name)


def test_errors_for_missing_things():
    client = Client()
    client.create_registered_model("taxi")
    with pytest.raises(AlreadyExistsError, match="'taxi' already exists"):
        client.create_registered_model("taxi")
    with pytest.raises(NotFoundError, match="No registered model named 'nope'"):
        client.create_model_version("nope", _logged_model())
    with pytest.raises(NotFoundError):
        autolog.register_model("runs:/0123abcd/model", "new-model")
    assert [m.name for m in client.search_registered_models()] == ["taxi"]  # nothing half-created
    with pytest.raises(InvalidInputError, match="Invalid model version 'x'"):
        client.get_model_version("taxi", "x")
