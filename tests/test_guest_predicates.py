"""lab/guest/predicates.py: how claims read normalized observations, and the common premises."""

from __future__ import annotations

import pytest

from lab.guest.catalog import Undecided
from lab.guest.predicates import (
    brief,
    close,
    flat,
    prints_a_value,
    raised,
    raised_message,
    runs_to_the_end,
    stat,
    unless_raised,
    value,
)

RAISED = {"kind": "exception", "type": "TypeError", "message": "bad operand"}
CLEAN = {"kind": "no_exception"}


def _tensor(values, shape=(2,)) -> dict:
    return {"kind": "tensor", "shape": list(shape), "dtype": "float32", "values": values}


def test_a_tensors_value_is_its_values_and_anything_else_is_itself() -> None:
    assert value(_tensor([1.0, 2.0])) == [1.0, 2.0]
    assert value(3) == 3 and value({"kind": "object", "type": "X"}) == {"kind": "object", "type": "X"}


def test_a_tensor_too_large_for_its_values_says_to_use_stat() -> None:
    with pytest.raises(ValueError, match=r"use stat\(\)"):
        value({"kind": "tensor", "shape": [1000], "dtype": "float32", "summary": {"mean": 0.0}})


def test_flat_lists_nested_values_in_order() -> None:
    assert flat(_tensor([[1, 2], [3, [4, 5]]])) == [1, 2, 3, 4, 5]
    assert flat(7.5) == [7.5]


def test_close_compares_element_wise_within_the_tolerances() -> None:
    assert close(_tensor([1.0, 2.0]), [1.0 + 1e-9, 2.0]) is True
    assert close(_tensor([1.0, 2.0]), [1.0, 2.1]) is False
    assert close(1.0, 1.05, rel=0.1) is True


def test_close_is_false_for_a_different_size_or_a_non_number() -> None:
    assert close([1.0, 2.0], [1.0]) is False
    assert close(["a"], ["a"]) is False


def test_stat_reads_a_large_tensors_summary() -> None:
    large = {"kind": "tensor", "shape": [10000], "dtype": "float32",
             "summary": {"mean": 0.5, "std": 2.0, "min": -1.0, "max": 4.0}}
    assert [stat(large, s) for s in ("mean", "std", "min", "max")] == [0.5, 2.0, -1.0, 4.0]


def test_stat_computes_a_small_tensors_statistics_with_the_population_std() -> None:
    small = _tensor([1.0, 3.0, 5.0, 7.0], shape=(4,))
    assert [stat(small, s) for s in ("mean", "min", "max")] == [4.0, 1.0, 7.0]
    assert stat(small, "std") == pytest.approx(5 ** 0.5)


def test_raised_tells_a_caught_exception_from_none_and_checks_its_type() -> None:
    assert raised(RAISED) is True and raised(CLEAN) is False
    assert raised(RAISED, "TypeError") is True and raised(RAISED, "ValueError") is False


def test_raised_refuses_an_observation_that_is_no_caught_block() -> None:
    with pytest.raises(ValueError, match="not a caught-exception observation: 3"):
        raised(3)


def test_raised_message_is_type_and_message() -> None:
    assert raised_message(RAISED) == "TypeError: bad operand"


def test_unless_raised_is_undecided_with_the_exception_when_the_block_raised() -> None:
    check = unless_raised("fit", lambda o: o["loss"] < 1, what="training")
    found = check({"fit": RAISED, "loss": 5})
    assert isinstance(found, Undecided) and found.reason == "training raised TypeError: bad operand"
    assert check({"fit": CLEAN, "loss": 0.5}) is True
    assert check({"fit": CLEAN, "loss": 5}) is False


@pytest.mark.parametrize(("obs", "text"), [(0.30000000000000004, "0.3"), (_tensor(2.5, ()), "2.5"),
                                       (_tensor([1.0, -0.5]), "[1, -0.5]"), (list(range(7)), "[0, 1, 2, 3, 4, ...]"),
                                       (_tensor([0.123456, 2.0]), "[0.1235, 2]"), ("text", "text"), (True, "True")])
def test_brief_shows_a_value_in_a_few_characters(obs, text) -> None:
    assert brief(obs) == text


def test_runs_to_the_end_occurs_unless_the_block_raised_and_says_what_it_raised() -> None:
    premise = runs_to_the_end("loop", "the training loop")
    assert premise.text == "the training loop runs to the end"
    assert premise.occurred({"loop": CLEAN}) is True and premise.occurred({"loop": RAISED}) is False
    assert premise.instead({"loop": RAISED}) == "the training loop raises TypeError: bad operand"


def test_prints_a_value_occurs_when_the_loop_counted_an_iteration() -> None:
    premise = prints_a_value("count", "first")
    assert premise.text == "the loop prints a value"
    assert premise.occurred({"count": 2}) is True and premise.occurred({"count": _tensor(0, ())}) is False
    assert premise.instead({"first": RAISED}) == "the first iteration raises TypeError: bad operand"
