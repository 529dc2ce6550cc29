"""Observations normalize to deterministic JSON; the recorder records values and exceptions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lab.guest.observe import MAX_INLINE_ELEMENTS, Recorder, normalize
from lab.record import Record


def test_python_scalars_and_strings_stay_plain() -> None:
    assert [normalize(v) for v in (1, 2.5, True, "s", None)] == [1, 2.5, True, "s", None]


def test_a_numpy_scalar_becomes_a_zero_dim_tensor() -> None:
    assert normalize(np.float32(1.5)) == {"kind": "tensor", "dtype": "float32", "shape": [], "values": 1.5}


def test_a_small_array_keeps_every_value() -> None:
    out = normalize(np.arange(6, dtype=np.int64).reshape(2, 3))
    assert out == {"kind": "tensor", "dtype": "int64", "shape": [2, 3], "values": [[0, 1, 2], [3, 4, 5]]}


def test_a_large_array_keeps_statistics_and_a_digest() -> None:
    array = np.linspace(-1, 1, MAX_INLINE_ELEMENTS + 1, dtype=np.float32)
    out = normalize(array)
    assert "values" not in out and out["shape"] == [MAX_INLINE_ELEMENTS + 1]
    assert out["summary"]["min"] == -1.0 and out["summary"]["max"] == 1.0
    assert abs(out["summary"]["mean"]) < 1e-7
    changed = array.copy()
    changed[3] += 1e-3
    assert normalize(changed)["digest"] != out["digest"]


def test_non_finite_floats_stay_valid_json() -> None:
    out = normalize(np.array([np.nan, np.inf, -np.inf], dtype=np.float32))
    assert out["values"] == ["nan", "inf", "-inf"]
    json.dumps(out, allow_nan=False)


def test_an_exception_keeps_type_and_first_line() -> None:
    assert normalize(ValueError("first line\nsecond")) == {"kind": "exception", "type": "ValueError",
                                                           "message": "first line"}


def test_an_unknown_object_keeps_only_its_type() -> None:
    assert normalize(object()) == {"kind": "object", "type": "object"}


def test_catch_records_the_exception_or_that_none_was_raised() -> None:
    rec = Recorder()
    with rec.catch("bad"):
        raise KeyError("k")
    with rec.catch("fine"):
        pass
    assert rec.observations["bad"]["type"] == "KeyError"
    assert rec.observations["fine"] == {"kind": "no_exception"}


def test_a_key_can_be_recorded_only_once() -> None:
    rec = Recorder()
    rec.record("k", 1)
    with pytest.raises(KeyError, match="recorded twice"):
        rec.record("k", 2)


def test_a_record_round_trips_through_json_in_recording_order() -> None:
    rec = Record("s", "graph", "local", 1, "ok", {"z": 1, "a": 2}, None, {"tensorflow": "x"}, 0.5)
    again = Record.from_dict(json.loads(rec.to_json()))
    assert again == rec and list(again.observations) == ["z", "a"]
    assert "duration_s" not in rec.comparable()
