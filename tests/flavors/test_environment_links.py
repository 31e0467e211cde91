"""Environment files of models logged into a store: the same text as an earlier model's is a hard link to it."""

import os

import pytest

import autolog
import flavors
from flavors import requirements


class Constant(flavors.pyfunc.PythonModel):
    def predict(self, context, data, params=None):
        return [1.0] * len(data)


def _logged_env_file(name="requirements.txt"):
    with autolog.start_run():
        info = flavors.pyfunc.log_model("model", python_model=Constant())
    local = autolog.Client()._repository(autolog.last_active_run().info.run_id).local_path("model")
    return info, os.path.join(local, name)


@pytest.mark.skipif(not hasattr(os, "link"), reason="this platform has no hard links")
def test_logged_models_share_unchanged_environment_files_and_never_an_edited_one(tmp_path):
    _first, first = _logged_env_file()
    _second, second = _logged_env_file()
    assert os.path.samefile(first, second)
    with open(first, encoding="utf-8") as handle:
        text = handle.read()
    assert text.strip() and open(second, encoding="utf-8").read() == text
    for name in ("python_env.yaml", "conda.yaml"):
        assert os.path.samefile(os.path.join(os.path.dirname(first), name), os.path.join(os.path.dirname(second), name))
    # a copy edited in place (size or time changed) is never linked again: the next model gets its own file
    with open(second, "a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    _third, third = _logged_env_file()
    assert not os.path.samefile(second, third) and open(third, encoding="utf-8").read() == text
    flavors.pyfunc.load_model(f"runs:/{autolog.last_active_run().info.run_id}/model")  # loads as ever
    # a model saved outside a store has files of its own
    flavors.pyfunc.save_model(str(tmp_path / "saved"), python_model=Constant())
    assert not os.path.samefile(str(tmp_path / "saved" / "requirements.txt"), third)


def test_a_vanished_earlier_file_is_written_anew(tmp_path):
    _info, first = _logged_env_file()
    os.remove(first)
    _info, second = _logged_env_file()
    assert os.path.exists(second) and os.path.getsize(second) > 0
    assert requirements._written_environment  # remembered for the next model
