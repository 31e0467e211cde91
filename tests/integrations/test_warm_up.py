"""The model warm-up runs beside the training and is waited for before a model is saved, in this process only."""

import os
import sys
import threading
import time

import pytest

from autolog.integrations import _warm_up


def test_a_warm_up_imports_the_flavor_and_is_waited_for():
    _warm_up._started.pop("sklearn", None)
    _warm_up.start("sklearn")
    _warm_up.wait("sklearn")
    assert "flavors.sklearn" in sys.modules and "flavors._save" in sys.modules
    assert _warm_up._started["sklearn"][1].is_set()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_wait_for_its_parents_unfinished_warm_up():
    unfinished = threading.Event()  # what start() leaves while its thread still imports
    _warm_up._started["slow-flavor"] = (os.getpid(), unfinished)
    try:
        child = os.fork()
        if child == 0:
            _warm_up.wait("slow-flavor")  # the thread did not survive the fork: returns at once
            os._exit(0)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pid, status = os.waitpid(child, os.WNOHANG)
            if pid:
                assert os.waitstatus_to_exitcode(status) == 0
                return
            time.sleep(0.05)
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the child waited for a warm-up thread it does not have")
    finally:
        _warm_up._started.pop("slow-flavor", None)
