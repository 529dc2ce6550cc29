"""Article 001's saving and restoring, with real TensorFlow: what a restore gives back, names matching or not."""

from __future__ import annotations

import pytest

from lab.verdict import Verdict
from tests.real_runs import both, run_real, verdicts
from tests.real_runs import observations as obs

MODES = ("graph", "eager")


@pytest.fixture(scope="module")
def outcome():
    return run_real(["checkpoint-restore"])


@pytest.mark.parametrize("mode", MODES)
def test_a_restore_gives_back_exactly_the_saved_values_where_the_names_match(outcome, mode) -> None:
    o = obs(outcome, "checkpoint-restore", mode)
    for way in ("checkpoint", "saver", "checkpoint_renamed"):
        assert o[f"{way}_restore_error"] == {"kind": "no_exception"}
        assert o[f"{way}_restored"] == o[f"{way}_saved"] != o[f"{way}_fresh"]
    assert verdicts(outcome, "checkpoint-restore", 1) == verdicts(outcome, "checkpoint-restore", 2) == both(
        Verdict.HOLDS)


@pytest.mark.parametrize("mode", MODES)
def test_a_saver_refuses_another_name_while_a_checkpoint_silently_keeps_the_random_values_of_another_key(
        outcome, mode) -> None:
    o = obs(outcome, "checkpoint-restore", mode)
    # Saver maps by variable name: "other" is not in the checkpoint, and restoring says so.
    assert o["saver_renamed_restore_error"]["type"] == "NotFoundError"
    assert o["saver_renamed_restored"] == o["saver_renamed_fresh"]
    # Checkpoint maps by attribute: another name restores; another attribute restores nothing, silently.
    assert o["checkpoint_other_key_restore_error"] == {"kind": "no_exception"}
    assert o["checkpoint_other_key_restored"] == o["checkpoint_other_key_fresh"] != o["checkpoint_other_key_saved"]
    assert [verdicts(outcome, "checkpoint-restore", c)[mode] for c in (3, 4, 5)] == [
        Verdict.REFUTED, Verdict.REFUTED, Verdict.HOLDS]
