"""The REST API's shapes, statuses, errors, limits and paging, over HTTP against a real server."""

import json
import urllib.error
import urllib.request

import pytest

import autolog


def call(server, method, path, body=None, query=""):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}{path}{query}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_experiments_and_runs_speak_mlflow_json(module_server):
    status, body = call(module_server, "POST", "/api/2.0/mlflow/experiments/create",
                        {"name": "shapes", "tags": [{"key": "team", "value": "a"}]})
    assert status == 200 and set(body) == {"experiment_id"}
    experiment_id = body["experiment_id"]
    status, body = call(module_server, "POST", "/api/2.0/mlflow/experiments/create", {"name": "shapes"})
    assert status == 400 and body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    status, body = call(module_server, "GET", "/api/2.0/mlflow/experiments/get-by-name", query="?experiment_name=shapes")
    assert body["experiment"]["artifact_location"] == f"mlflow-artifacts:/{experiment_id}"
    assert body["experiment"]["tags"] == [{"key": "team", "value": "a"}]
    status, body = call(module_server, "GET", "/api/2.0/mlflow/experiments/get-by-name", query="?experiment_name=none")
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    status, body = call(module_server, "POST", "/ajax-api/2.0/mlflow/runs/create",
                        {"experiment_id": experiment_id, "start_time": 5, "run_name": "r1"})
    info = body["run"]["info"]
    assert (info["run_name"], info["status"], info["start_time"]) == ("r1", "RUNNING", 5)
    assert info["artifact_uri"] == f"mlflow-artifacts:/{experiment_id}/{info['run_id']}"
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/log-metric",
                        {"run_id": info["run_id"], "key": "loss", "value": "NaN", "timestamp": 1, "step": 2})
    assert status == 200
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/update",
                        {"run_id": info["run_id"], "status": "FINISHED", "end_time": 9})
    assert body["run_info"]["status"] == "FINISHED" and body["run_info"]["end_time"] == 9
    status, body = call(module_server, "GET", "/api/2.0/mlflow/runs/get", query=f"?run_id={info['run_id']}")
    assert body["run"]["data"]["metrics"][0]["value"] == "NaN"
    status, body = call(module_server, "GET", "/api/2.0/mlflow/runs/get", query="?run_id=0000")
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/search",
                        {"experiment_ids": [experiment_id], "filter": "metrics.loss <"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = call(module_server, "GET", "/api/2.0/mlflow/no/such/endpoint")
    assert status == 404 and body["error_code"] == "ENDPOINT_NOT_FOUND"


def test_log_batch_limits_and_malformed_bodies(module_server):
    _, body = call(module_server, "POST", "/api/2.0/mlflow/runs/create", {"experiment_id": "0"})
    run_id = body["run"]["info"]["run_id"]
    too_many = [{"key": "m", "value": 1, "timestamp": 1, "step": i} for i in range(1001)]
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": too_many})
    assert status == 400 and "at most 1000 metrics" in body["message"]
    params = [{"key": f"p{i}", "value": "1"} for i in range(101)]
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "params": params})
    assert status == 400 and "params" in body["message"]
    status, body = call(module_server, "POST", "/api/2.0/mlflow/runs/log-batch",
                        {"run_id": run_id, "metrics": [{"key": "../x", "value": 1, "timestamp": 1}]})
    assert status == 400
    request = urllib.request.Request(f"{module_server.url}/api/2.0/mlflow/runs/log-batch", data=b"{not json",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    huge = b'{"run_id": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    request = urllib.request.Request(f"{module_server.url}/api/2.0/mlflow/runs/log-batch", data=huge, method="POST")
    with pytest.raises(urllib.error.URLError) as error:  # 400, or the connection closed before the body was read
        urllib.request.urlopen(request, timeout=30)
    assert getattr(error.value, "code", 400) == 400
    assert autolog.Client(module_server.url).get_run(run_id).data.metrics == {}


def test_metric_history_paged_streamed_and_downsampled(module_server):
    client = autolog.Client(module_server.url)
    run_id = client.create_run("0").info.run_id
    client.log_batch(run_id, [autolog.Metric("loss", float(step), 1000 + step, step) for step in range(2500)])
    assert [m.step for m in client.get_metric_history(run_id, "loss")] == list(range(2500))
    _, first = call(module_server, "GET", "/api/2.0/mlflow/metrics/get-history",
                    query=f"?run_id={run_id}&metric_key=loss&max_results=1000")
    assert len(first["metrics"]) == 1000 and first["next_page_token"]
    _, last = call(module_server, "GET", "/api/2.0/mlflow/metrics/get-history",
                   query=f"?run_id={run_id}&metric_key=loss&max_results=1000&page_token=2000")
    assert [m["step"] for m in last["metrics"]] == list(range(2000, 2500)) and "next_page_token" not in last
    _, streamed = call(module_server, "GET", "/api/2.0/mlflow/metrics/get-history",
                       query=f"?run_id={run_id}&metric_key=loss")
    assert len(streamed["metrics"]) == 2500
    _, sampled = call(module_server, "GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval",
                      query=f"?run_ids={run_id}&metric_key=loss&max_results=50&start_step=100&end_step=1099")
    steps = [m["step"] for m in sampled["metrics"]]
    assert steps[0] == 100 and steps[-1] == 1099 and 40 <= len(steps) <= 51 and steps == sorted(steps)
    assert {m["run_id"] for m in sampled["metrics"]} == {run_id}
    status, _ = call(module_server, "GET", "/api/2.0/mlflow/metrics/get-history",
                     query="?run_id=missing&metric_key=loss")
    assert status == 404


def test_registry_routes(module_server):
    client = autolog.Client(module_server.url)
    run_id = client.create_run("0").info.run_id
    client.log_text(run_id, "weights", "model/weights.txt")
    client.log_text(run_id, "flavors: {python_function: {}}\n", "model/MLmodel")
    client.create_registered_model("reg-routes", tags={"t": "1"}, description="d")
    version = client.create_model_version("reg-routes", f"runs:/{run_id}/model")
    assert (version.version, version.status, version.run_id) == ("1", "READY", run_id)
    _, body = call(module_server, "GET", "/api/2.0/mlflow/model-versions/get-download-uri",
                   query="?name=reg-routes&version=1")
    assert body["artifact_uri"].startswith("mlflow-artifacts:/models/reg-routes/1")
    client.set_registered_model_alias("reg-routes", "champion", 1)
    client.transition_model_version_stage("reg-routes", 1, "staging")
    model = client.get_registered_model("reg-routes")
    assert model.aliases == {"champion": "1"} and model.latest_versions[0].current_stage == "Staging"
    assert client.get_model_version_by_alias("reg-routes", "champion").version == "1"
    renamed = client.rename_registered_model("reg-routes", "reg-routes-2")
    assert renamed.name == "reg-routes-2"
    assert [m.name for m in client.search_registered_models("name LIKE 'reg-routes%'")] == ["reg-routes-2"]
    status, body = call(module_server, "POST", "/api/2.0/mlflow/model-versions/create",
                        {"name": "reg-routes-2", "source": "/etc"})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    client.delete_registered_model("reg-routes-2")
    with pytest.raises(autolog.NotFoundError):
        client.get_registered_model("reg-routes-2")
