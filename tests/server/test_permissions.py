"""Per-experiment permissions against a real server: restricted experiments, creators, grants, searches."""

import json
import urllib.parse

import pytest

from tests.server.conftest import Server, run_cli
from tests.server.test_auth import request

API = "/api/2.0/mlflow"


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """A server with auth on and tokens for admin, alice, bob (write) and carol (read)."""
    store = tmp_path_factory.mktemp("permissions") / "store"
    tokens = {}
    for name, role in (("admin", "admin"), ("alice", "write"), ("bob", "write"), ("carol", "read")):
        tokens[name] = run_cli("server", "tokens", "create", "--name", name, "--role", role,
                               "--backend-store-uri", str(store)).strip().splitlines()[-1]
    server = Server(store, "--auth")
    yield server, tokens
    server.stop()


def call(server, token, method, path, body=None, query=None):
    url = server.url + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
    data = json.dumps(body).encode() if body is not None else (b"" if method in ("PUT",) else b"{}")
    status, payload, _ = request(url, method, token, headers={"Content-Type": "application/json"}, body=data)
    return status, (json.loads(payload) if payload and payload[:1] in (b"{", b"[") else payload)


def _alice_experiment(server, tokens, name):
    """Alice creates an experiment with a run, a metric, an artifact and a logged model."""
    alice = tokens["alice"]
    status, body = call(server, alice, "POST", f"{API}/experiments/create", {"name": name})
    assert status == 200, body
    experiment_id = body["experiment_id"]
    status, body = call(server, alice, "POST", f"{API}/runs/create", {"experiment_id": experiment_id})
    run_id = body["run"]["info"]["run_id"]
    assert call(server, alice, "POST", f"{API}/runs/log-metric",
                {"run_id": run_id, "key": "loss", "value": 0.5, "timestamp": 1, "step": 0})[0] == 200
    artifact = f"/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/notes.txt"
    assert request(server.url + artifact, "PUT", alice, body=b"secret notes")[0] == 200
    descriptor = f"/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/MLmodel"
    assert request(server.url + descriptor, "PUT", alice, body=b"flavors: {python_function: {}}\n")[0] == 200
    status, body = call(server, alice, "POST", f"{API}/logged-models", {"experiment_id": experiment_id})
    assert status == 200, body
    return experiment_id, run_id, artifact, body["model"]["info"]["model_id"]


def _routes(experiment_id, run_id, artifact, model_id, name):
    """(method, path, body or query, kind) of every kind of route that touches the experiment."""
    run = {"run_id": run_id}
    return [
        ("GET", f"{API}/experiments/get", {"experiment_id": experiment_id}),
        ("GET", f"{API}/experiments/get-by-name", {"experiment_name": name}),
        ("POST", f"{API}/experiments/update", {"experiment_id": experiment_id, "new_name": "stolen"}),
        ("POST", f"{API}/experiments/set-experiment-tag", {"experiment_id": experiment_id, "key": "k", "value": "v"}),
        ("POST", f"{API}/experiments/delete", {"experiment_id": experiment_id}),
        ("POST", f"{API}/runs/create", {"experiment_id": experiment_id}),
        ("GET", f"{API}/runs/get", run),
        ("POST", f"{API}/runs/update", dict(run, status="FINISHED")),
        ("POST", f"{API}/runs/log-metric", dict(run, key="x", value=1.0, timestamp=1, step=0)),
        ("POST", f"{API}/runs/log-batch", dict(run, params=[{"key": "p", "value": "1"}])),
        ("POST", f"{API}/runs/set-tag", dict(run, key="t", value="v")),
        ("POST", f"{API}/runs/delete", run),
        ("POST", f"{API}/runs/search", {"experiment_ids": [experiment_id]}),
        ("GET", f"{API}/metrics/get-history", dict(run, metric_key="loss")),
        ("GET", f"{API}/metrics/get-history-bulk-interval", {"run_ids": [run_id], "metric_key": "loss"}),
        ("GET", f"{API}/artifacts/list", run),
        ("GET", "/get-artifact", dict(run, path="notes.txt")),
        ("GET", artifact, None),
        ("PUT", artifact, None),
        ("DELETE", artifact, None),
        ("GET", "/api/2.0/mlflow-artifacts/artifacts", {"path": f"{experiment_id}/{run_id}/artifacts"}),
        ("GET", f"{API}/logged-models/{model_id}", None),
        ("PATCH", f"{API}/logged-models/{model_id}", {"status": "READY"}),
        ("POST", f"{API}/logged-models/search", {"experiment_ids": [experiment_id]}),
        ("POST", f"{API}/model-versions/create", {"name": "leak", "source": f"runs:/{run_id}/"}),
        ("POST", f"{API}/model-versions/create", {"name": "leak", "source": f"models:/{model_id}"}),
        ("POST", f"{API}/model-versions/create",
         {"name": "leak", "source": f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts"}),
        ("POST", f"{API}/experiments/permissions/create",
         {"experiment_id": experiment_id, "username": "bob", "permission": "MANAGE"}),
    ]


def _send(server, token, method, path, payload):
    if method == "GET":
        return call(server, token, method, path, query=payload)
    if method in ("PUT",) and "mlflow-artifacts" in path:
        return call(server, token, method, path, body=None)
    return call(server, token, method, path, body=payload if payload is not None else {})


def _visible(server, token, experiment_id) -> bool:
    status, body = call(server, token, "POST", f"{API}/experiments/search", {"max_results": 1000})
    assert status == 200, body
    return experiment_id in {experiment["experiment_id"] for experiment in body.get("experiments", [])}


def _pages_are_refused(server, tokens, experiment_id, run_id, name):
    """The web pages apply the same permissions as the REST API."""
    pytest.importorskip("jinja2")
    pages = [f"/experiments/{experiment_id}", f"/runs/{run_id}", f"/runs/{run_id}/artifacts",
             f"/compare?run={run_id}", f"/ui/data/metric?run={run_id}&key=loss"]
    for page in pages:
        assert request(server.url + page, token=tokens["bob"])[0] == 403, page
        assert request(server.url + page, token=tokens["carol"])[0] == 200, page
    status, _, _ = request(server.url + "/experiments/0/runs/delete", "POST", tokens["bob"],
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=f"run={run_id}".encode())
    assert status == 403
    home = request(server.url + "/", token=tokens["bob"])
    assert home[0] == 200 and name.encode() not in home[1]
    assert name.encode() in request(server.url + "/", token=tokens["carol"])[1]


def test_unrestricted_experiment_follows_the_token_role(team):
    server, tokens = team
    experiment_id, run_id, _artifact, _model = _alice_experiment(server, tokens, "open-to-all")
    assert call(server, tokens["bob"], "GET", f"{API}/runs/get", query={"run_id": run_id})[0] == 200
    tag = {"run_id": run_id, "key": "a", "value": "b"}
    assert call(server, tokens["bob"], "POST", f"{API}/runs/set-tag", tag)[0] == 200
    assert call(server, tokens["carol"], "POST", f"{API}/runs/set-tag", tag)[0] == 403
    assert _visible(server, tokens["bob"], experiment_id) and _visible(server, tokens["carol"], experiment_id)
    # only the creator (or an admin) manages it
    grant = {"experiment_id": experiment_id, "username": "carol", "permission": "READ"}
    assert call(server, tokens["bob"], "POST", f"{API}/experiments/permissions/create", grant)[0] == 403
    status, body = call(server, tokens["alice"], "GET", f"{API}/experiments/permissions/list",
                        query={"experiment_id": experiment_id})
    assert status == 200 and body["experiment_permissions"] == [
        {"experiment_id": experiment_id, "username": "alice", "permission": "MANAGE", "is_creator": True}]


def test_user_without_permission_is_refused_everywhere_and_sees_nothing(team):
    server, tokens = team
    name = "alice-private"
    experiment_id, run_id, artifact, model_id = _alice_experiment(server, tokens, name)
    # alice restricts the experiment by granting carol read: bob has no grant any more
    grant = {"experiment_id": experiment_id, "username": "carol", "permission": "READ"}
    assert call(server, tokens["alice"], "POST", f"{API}/experiments/permissions/create", grant)[0] == 200
    assert call(server, tokens["bob"], "POST", f"{API}/registered-models/create", {"name": "leak"})[0] == 200
    for method, path, payload in _routes(experiment_id, run_id, artifact, model_id, name):
        status, body = _send(server, tokens["bob"], method, path, payload)
        assert status == 403, (method, path, status, body)
        if isinstance(body, dict):
            assert body["error_code"] == "PERMISSION_DENIED"
    assert not _visible(server, tokens["bob"], experiment_id)
    assert _visible(server, tokens["carol"], experiment_id) and _visible(server, tokens["admin"], experiment_id)
    _pages_are_refused(server, tokens, experiment_id, run_id, name)
    status, body = call(server, tokens["alice"], "POST", f"{API}/model-versions/create",
                        {"name": "leak", "source": f"runs:/{run_id}/"})
    assert status == 200, body  # the owner registers what bob could not
    # nothing bob tried changed anything
    status, body = call(server, tokens["alice"], "GET", f"{API}/experiments/get",
                        query={"experiment_id": experiment_id})
    assert status == 200 and body["experiment"]["name"] == name and body["experiment"]["lifecycle_stage"] == "active"
    assert request(server.url + artifact, "GET", tokens["alice"])[1] == b"secret notes"
    # carol reads but her read token writes nothing; the admin does everything
    assert request(server.url + artifact, "GET", tokens["carol"])[1] == b"secret notes"
    tag = {"run_id": run_id, "key": "a", "value": "b"}
    assert call(server, tokens["carol"], "POST", f"{API}/runs/set-tag", tag)[0] == 403
    for method, path, payload in _routes(experiment_id, run_id, artifact, model_id, name)[:2]:
        assert _send(server, tokens["admin"], method, path, payload)[0] == 200


def test_grant_then_access_and_revoke_through_the_cli(team):
    server, tokens = team
    name = "granted-later"
    experiment_id, run_id, artifact, _model = _alice_experiment(server, tokens, name)
    options = ("--experiment", name, "--backend-store-uri", server.store_dir)
    run_cli("server", "permissions", "grant", "--user", "carol", "--permission", "read", *options)
    log = {"run_id": run_id, "key": "bob", "value": 1.0, "timestamp": 1, "step": 0}
    assert call(server, tokens["bob"], "POST", f"{API}/runs/log-metric", log)[0] == 403
    run_cli("server", "permissions", "grant", "--user", "bob", "--permission", "edit", *options)
    assert call(server, tokens["bob"], "POST", f"{API}/runs/log-metric", log)[0] == 200
    assert request(server.url + artifact, "PUT", tokens["bob"], body=b"bob was here")[0] == 200
    assert _visible(server, tokens["bob"], experiment_id)
    # edit is not manage: bob cannot hand out permissions
    grant = {"experiment_id": experiment_id, "username": "bob", "permission": "MANAGE"}
    assert call(server, tokens["bob"], "POST", f"{API}/experiments/permissions/create", grant)[0] == 403
    listing = run_cli("server", "permissions", "list", *options)
    assert "bob" in listing and "edit" in listing and "creator" in listing
    run_cli("server", "permissions", "revoke", "--user", "bob", *options)
    assert call(server, tokens["bob"], "POST", f"{API}/runs/log-metric", log)[0] == 403
    assert not _visible(server, tokens["bob"], experiment_id)
