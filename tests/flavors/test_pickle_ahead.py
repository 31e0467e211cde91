"""A pickle written part by part before its object is complete loads as the object, and fails cleanly."""

import os
import pickle
import threading

import cloudpickle
import numpy as np
import pytest

from flavors._pickle_ahead import PickleAhead, offer, offered


class Part:
    """A part with an array and a back-reference to a shared object."""

    def __init__(self, size, shared):
        self.values = np.arange(size, dtype=np.float64)
        self.shared = shared


class Whole:
    def __init__(self, parts):
        self.parts = parts
        self.first = parts[0]
        self.name = "whole"


def _whole(count=4, size=50_000):
    shared = {"criterion": "squared_error"}
    return Whole([Part(size * (index + 1), shared) for index in range(count)])


def _ahead_threads():
    return [thread for thread in threading.enumerate() if thread.name == "autolog-pickle-ahead"]


@pytest.mark.parametrize("use_cloudpickle", [True, False])
def test_parts_pickled_ahead_and_the_whole_load_as_one_pickle(tmp_path, use_cloudpickle):
    whole = _whole()
    ahead = PickleAhead(tmp_path, use_cloudpickle=use_cloudpickle)
    for part in whole.parts:
        ahead.add(part)
    path, modules = ahead.finish(whole, whole.parts)
    assert os.listdir(tmp_path) == [os.path.basename(path)]
    with open(path, "rb") as handle:
        loaded = (cloudpickle if use_cloudpickle else pickle).load(handle)
        assert handle.read() == b""  # one pickle: nothing after its STOP
    assert [part.values.tolist() for part in loaded.parts] == [part.values.tolist() for part in whole.parts]
    assert loaded.first is loaded.parts[0]  # the whole refers to the parts pickled ahead, not to copies
    assert all(part.shared is loaded.parts[0].shared for part in loaded.parts)
    assert loaded.name == "whole"
    # each part's bytes are written once: the file is the size of a single dump of the whole
    assert abs(os.path.getsize(path) - len(pickle.dumps(whole, protocol=pickle.HIGHEST_PROTOCOL))) < 2_000
    assert __name__ in modules and "numpy" in modules and ("cloudpickle" in modules) == use_cloudpickle
    assert _ahead_threads() == []


def test_a_part_that_is_not_the_objects_own_falls_back_and_leaves_nothing(tmp_path):
    whole, stranger = _whole(2), _whole(1)
    ahead = PickleAhead(tmp_path)
    ahead.add(whole.parts[0])
    ahead.add(stranger.parts[0])
    assert ahead.finish(whole, whole.parts) is None
    assert os.listdir(tmp_path) == []


def test_a_part_that_cannot_be_pickled_falls_back_and_leaves_nothing(tmp_path):
    whole = _whole(2)
    whole.parts[1].shared = threading.Lock()
    ahead = PickleAhead(tmp_path, use_cloudpickle=False)
    for part in whole.parts:
        ahead.add(part)
    assert ahead.finish(whole, whole.parts) is None
    assert os.listdir(tmp_path) == []


def test_discard_removes_the_file_and_ignores_later_parts(tmp_path):
    whole = _whole(2)
    ahead = PickleAhead(tmp_path)
    ahead.add(whole.parts[0])
    ahead.discard()
    ahead.add(whole.parts[1])
    assert os.listdir(tmp_path) == []
    assert ahead.finish(whole, whole.parts) is None
    assert _ahead_threads() == []


def test_an_offer_is_taken_once_by_the_saver_of_that_object_and_pickler_kind(tmp_path):
    whole, other = _whole(1), _whole(1)
    ahead = PickleAhead(tmp_path, use_cloudpickle=True)
    with offer(whole, ahead):
        assert offered(other, True) is None
        assert offered(whole, False) is None
        assert offered(whole, True) is ahead
        assert offered(whole, True) is None
    assert offered(whole, True) is None
