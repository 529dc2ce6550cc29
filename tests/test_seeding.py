"""Seeding across articles with real TensorFlow: which seeded draws agree between graph and eager."""

from __future__ import annotations

import math

import pytest

from lab.guest.predicates import flat
from lab.verdict import Verdict
from tests.real_runs import finished_record as record
from tests.real_runs import run_real, verdicts

IDS = ("seed-global-only", "seed-op-seed", "seed-initializer", "seed-table", "seed-as-written", "seed-across-modes",
       "seed-keras-set-random-seed")
KEYS = ("first", "second", "fresh_start_first")


@pytest.fixture(scope="module")
def outcome():
    return run_real(IDS)


def test_an_op_seed_gives_graph_and_eager_the_same_draws(outcome) -> None:
    graph = record(outcome, "seed-op-seed", "graph").observations
    eager = record(outcome, "seed-op-seed", "eager").observations
    assert all(graph[k] == eager[k] for k in KEYS)


def test_the_global_seed_alone_gives_graph_and_eager_different_draws(outcome) -> None:
    # The op seed is derived differently: from the graph's op count, or from eager's op counter.
    graph = record(outcome, "seed-global-only", "graph").observations
    eager = record(outcome, "seed-global-only", "eager").observations
    assert all(graph[k] != eager[k] for k in KEYS)


def test_the_articles_keras_initializer_draws_in_a_graph_what_it_draws_eagerly(outcome) -> None:
    # The graph twin runs Keras's RandomNormal too (not a tf.compat.v1 initializer in its place).
    graph = record(outcome, "seed-initializer", "graph").observations
    eager = record(outcome, "seed-initializer", "eager").observations
    assert all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(flat(graph["first"]), flat(eager["first"])))
    assert all(abs(x) < 0.25 for x in flat(graph["first"]))  # stddev 0.05


def test_a_seeded_random_op_run_again_continues_its_sequence_in_both_modes(outcome) -> None:
    for sid in ("seed-global-only", "seed-op-seed"):
        assert verdicts(outcome, sid, 1) == {"graph": Verdict.REFUTED, "eager": Verdict.INCONCLUSIVE}
        assert verdicts(outcome, sid, 2) == {"graph": Verdict.HOLDS, "eager": Verdict.HOLDS}


def test_a_seeded_keras_initializer_repeats_its_values(outcome) -> None:
    # From TF 2.5 on (Keras 2 and 3) a seeded Keras initializer is stateless: the eager call
    # repeats, and so does its graph node run again (TF 1.15's continues its random sequence).
    eager = record(outcome, "seed-initializer", "eager")
    assert eager.observations["first"] == eager.observations["second"]
    # Repeating is not caching: eager has no node to run again, so the claim is not judged there,
    # and the reason says what the reader sees instead.
    assert verdicts(outcome, "seed-initializer", 1) == {"graph": Verdict.HOLDS, "eager": Verdict.INCONCLUSIVE}
    (eager_judgement,) = [j for j in outcome.judgements if j.scenario == "seed-initializer" and j.claim == 1
                          and j.mode == "eager"]
    assert eager_judgement.reason.startswith("not applicable in this mode: eager execution has no node to run again")
    assert "; what the reader sees instead: executing the line again draws the same numbers: " in eager_judgement.reason


def test_seeded_draws_repeat_in_fresh_runs_and_keras_3s_unseeded_initializer_does_not(outcome) -> None:
    # Keras 3 keeps its own seed state, which tf.random.set_seed does not reset.
    for mode in ("graph", "eager"):
        o = record(outcome, "seed-table", mode).observations
        assert o["op_only_run_1"] == o["op_only_run_2"] and o["global_only_run_1"] == o["global_only_run_2"]
    assert [verdicts(outcome, "seed-table", c)["eager"] for c in range(1, 7)] == [Verdict.HOLDS] * 4 + [
        Verdict.REFUTED, Verdict.REFUTED]
    # The article's Example 3 as written has no seed: two fresh runs draw different numbers.
    assert verdicts(outcome, "seed-table", 6) == {"graph": Verdict.REFUTED, "eager": Verdict.REFUTED}
    # The same op seed draws the same numbers in both modes; the global seed alone does not.
    graph, eager = (record(outcome, "seed-table", m).observations for m in ("graph", "eager"))
    assert graph["global_and_op_run_1"] == eager["global_and_op_run_1"]
    assert graph["global_only_run_1"] != eager["global_only_run_1"]


def test_the_example_as_written_is_not_deterministic_and_its_record_keeps_no_draw(outcome) -> None:
    for mode in ("graph", "eager"):
        assert record(outcome, "seed-as-written", mode).observations == {
            "second_same_as_first": False, "fresh_start_same_as_first": False}
    assert verdicts(outcome, "seed-as-written", 1) == {"graph": Verdict.REFUTED, "eager": Verdict.INCONCLUSIVE}
    assert verdicts(outcome, "seed-as-written", 2) == {"graph": Verdict.REFUTED, "eager": Verdict.REFUTED}


def test_one_program_draws_the_same_op_seeded_numbers_in_a_graph_and_eagerly_but_not_the_global_seeds(outcome) -> None:
    graph = record(outcome, "seed-across-modes", "graph").observations
    eager = record(outcome, "seed-across-modes", "eager").observations
    for config in ("op_only", "global_only", "global_and_op", "glorot_uniform_seed_1", "keras_random_normal_seeded"):
        # The eager twin's draw in a tf.Graph is the graph twin's draw: the same program the TF1 way.
        assert eager[f"{config}_in_a_graph"] == graph[f"{config}_first_op"]
    assert [verdicts(outcome, "seed-across-modes", c)["eager"] for c in (1, 2, 3, 5, 6)] == [
        Verdict.HOLDS, Verdict.REFUTED, Verdict.HOLDS, Verdict.HOLDS, Verdict.HOLDS]
    # Not applicable in the graph twin: a TF1 graph program has no eager draw to compare.
    assert {verdicts(outcome, "seed-across-modes", c)["graph"] for c in (1, 2, 3, 5, 6)} == {Verdict.INCONCLUSIVE}


def test_a_second_op_with_the_same_seeds_repeats_in_a_graph_and_continues_the_sequence_eagerly(outcome) -> None:
    graph = record(outcome, "seed-across-modes", "graph").observations
    eager = record(outcome, "seed-across-modes", "eager").observations
    assert graph["global_and_op_second_op"] == graph["global_and_op_first_op"]
    assert eager["global_and_op_second_op"] != eager["global_and_op_first_op"]
    assert verdicts(outcome, "seed-across-modes", 4) == {"graph": Verdict.HOLDS, "eager": Verdict.REFUTED}


def test_keras_set_random_seed_makes_a_dense_kernel_repeat_and_agree_across_modes(outcome) -> None:
    graph = record(outcome, "seed-keras-set-random-seed", "graph").observations
    eager = record(outcome, "seed-keras-set-random-seed", "eager").observations
    assert graph["kernel_run_1"] == graph["kernel_run_2"] == eager["kernel_run_1"] == eager["kernel_in_a_graph"]
    assert verdicts(outcome, "seed-keras-set-random-seed", 1) == {"graph": Verdict.HOLDS, "eager": Verdict.HOLDS}
    assert verdicts(outcome, "seed-keras-set-random-seed", 2) == {"graph": Verdict.INCONCLUSIVE,
                                                                   "eager": Verdict.HOLDS}


def _baseline_records(sid):
    import json
    from pathlib import Path

    from lab.record import Record

    baseline = json.loads((Path(__file__).parent.parent / "baselines" / "compare-all.json").read_text())
    return [Record(sid, mode, env, trial["seed"], trial["status"], trial["observations"], facts=entry["facts"])
            for env, entry in baseline["envs"].items() for mode, trial in entry["scenarios"][sid]["trials"].items()]


def test_the_seeding_table_shows_which_seeded_draws_repeat_across_versions_in_the_matrix() -> None:
    # Across versions is no claim (each job speaks for itself): the report puts the matrix's draws
    # side by side. The op seed draws the same in every version and mode; a seeded Keras initializer
    # draws one sequence from TF 2.5 to 2.21 (Keras 2 and 3), and TF 1.15's is the op-seeded draw.
    from lab.reports.seeding import draw_tables

    (table,) = draw_tables(_baseline_records("seed-across-modes"))
    rows = dict(table.rows)
    tf1 = [i for i, (env, _) in enumerate(table.columns) if env.startswith("tf1.15")]
    tf2 = [i for i in range(len(table.columns)) if i not in tf1]
    assert len(table.columns) == 14 and len(tf1) == 4
    assert len(set(rows["op_only_first_op"])) == 1
    keras = rows["keras_random_normal_seeded_first_op"]
    assert len({keras[i] for i in tf2}) == 1 and {keras[i] for i in tf1} == {rows["op_only_first_op"][0]}
    assert keras[tf2[0]] != keras[tf1[0]]
