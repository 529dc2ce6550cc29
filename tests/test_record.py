"""lab/record.py: a trial's Record, its status properties, its file form, and environments in TF order."""

from __future__ import annotations

import json

import pytest

from lab.guest.catalog import Mode
from lab.record import SCHEMA_VERSION, Record, Status, env_order, unfinished
from lab.schemas import InvalidData, RecordFormatError


def _record(status: str = "ok", env: str = "tf2.15", tf: str = "2.15.1", **rest) -> Record:
    return Record("s1", "graph", env, 7, status, facts={"tensorflow": tf} if tf else {}, **rest)  # type: ignore[arg-type]  # plain strings, as JSON gives


def test_plain_strings_become_the_enums_so_a_hand_built_record_is_the_same_value() -> None:
    record = _record()
    assert record.mode is Mode.GRAPH and record.status is Status.OK
    assert record == Record("s1", Mode.GRAPH, "tf2.15", 7, Status.OK, facts={"tensorflow": "2.15.1"})


@pytest.mark.parametrize(("status", "ok", "is_unfinished", "failed"), [
    ("ok", True, False, False),
    ("error", False, False, True),
    ("not_applicable", False, False, False),
    ("syntax_error", False, False, True),
    ("crashed", False, True, True),
    ("timeout", False, True, True),
    ("not_run", False, True, True),
])
def test_each_status_says_whether_the_trial_finished_and_whether_it_failed(status, ok, is_unfinished,
                                                                           failed) -> None:
    record = _record(status)
    assert (record.ok, record.unfinished, record.failed) == (ok, is_unfinished, failed)


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="'exploded' is not a valid Status"):
        _record("exploded")


def test_with_facts_adds_to_the_facts_and_keeps_the_rest() -> None:
    record = _record(observations={"x": 1})
    added = record.with_facts({"image": "lab:tf2.15"})
    assert added.facts == {"tensorflow": "2.15.1", "image": "lab:tf2.15"}
    assert added.observations == {"x": 1} and record.facts == {"tensorflow": "2.15.1"}


def test_with_no_facts_is_the_same_record() -> None:
    record = _record()
    assert record.with_facts({}) is record


def test_json_keeps_observations_in_the_order_the_twin_recorded_them() -> None:
    record = _record(observations={"z": 1, "a": 2, "m": 3})
    assert list(json.loads(record.to_json())["observations"]) == ["z", "a", "m"]


def test_a_record_read_back_from_its_dict_is_equal() -> None:
    record = _record("error", observations={"loss": 0.5}, error={"type": "ValueError", "message": "m"},
                     duration_s=1.25)
    assert Record.from_dict(json.loads(record.to_json())) == record


def test_a_record_of_another_format_names_both_formats() -> None:
    data = {**_record().to_dict(), "schema_version": 99}
    with pytest.raises(RecordFormatError) as caught:
        Record.from_dict(data, "records/x.json")
    assert str(caught.value) == (f"records/x.json: record format 99, this lab reads format {SCHEMA_VERSION}: rerun "
                                 "with this lab, or read it with the lab version that wrote it")
    assert caught.value.version == 99


def test_a_record_of_the_wrong_shape_is_invalid_data_naming_where() -> None:
    data = _record().to_dict()
    del data["seed"]
    with pytest.raises(InvalidData) as caught:
        Record.from_dict(data, "here.json")
    assert str(caught.value).startswith("here.json: not a valid record (")
    assert "'seed' is a required property" in str(caught.value)


def test_comparable_is_everything_but_the_duration() -> None:
    fast, slow = _record(duration_s=0.1), _record(duration_s=9.0)
    assert fast != slow and fast.comparable() == slow.comparable()
    assert "duration_s" not in fast.comparable()


def test_an_unfinished_record_says_why_under_its_status() -> None:
    record = unfinished("s2", Mode.EAGER, "local", 3, Status.TIMEOUT, "ran past 60 s", {"python": "3.11"})
    assert record.error == {"type": "timeout", "message": "ran past 60 s"}
    assert (record.observations, record.facts, record.unfinished) == ({}, {"python": "3.11"}, True)


def test_environments_are_ordered_by_tensorflow_version_not_by_name() -> None:
    records = [_record(env="tf2.9", tf="2.9.3"), _record(env="tf2.15", tf="2.15.1"), _record(env="tf1", tf="1.15.5"),
               _record(env="tf2.10", tf="2.10.0")]
    assert env_order(records) == ["tf1", "tf2.9", "tf2.10", "tf2.15"]


def test_environments_without_a_version_come_last_by_name() -> None:
    records = [_record(env="zeta", tf=""), _record(env="alpha", tf=""), _record(env="tf2.1", tf="2.1.0")]
    assert env_order(records) == ["tf2.1", "alpha", "zeta"]


def test_an_environment_takes_the_version_of_any_of_its_records() -> None:
    records = [_record(env="b", tf=""), _record(env="b", tf="1.15.0"), _record(env="a", tf="2.0.0")]
    assert env_order(records) == ["b", "a"]
