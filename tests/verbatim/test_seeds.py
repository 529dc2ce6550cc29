"""The five source articles run verbatim: outcomes checked by hand, on TF 2 (local) and real TF 1.15.

Article 002's three examples are TF1 code: on TF 2 they raise AttributeError as written (no
tf.global_variables_initializer, no tf.random_normal), run with the compat shim, and run as
written on TF 1.15, where re-running the initializer resets the assigned value (1.0, not 2.0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main
from lab.environments.pythons import candidate_pythons, python_version
from lab.verbatim.articles import A000, A001, A002, A003, A004, BLOCKS, CLAIMS
from lab.verbatim.claims import judge_blocks, seeds_dir
from lab.verbatim.documents import read_document
from lab.verbatim.programs import build_programs, failed_lines, rebuilt
from lab.verbatim.runner import Settings
from lab.verbatim.sources import gather
from lab.verbatim.variants import Variant
from tests.support import run_documents

SEEDS = seeds_dir()  # $LAB_SEEDS, for a clone made away from ../shared
HAVE_TF1 = any(python_version(p).startswith("3.7.") for p in candidate_pythons("3.7"))
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seeds folder {SEEDS}")


@pytest.fixture(scope="module")
def outcomes() -> dict:
    envs = ["local", "tf1.15"] if HAVE_TF1 else ["local"]
    result = run_documents([SEEDS], envs, [Variant.AS_WRITTEN, Variant.SHIM],
                          Settings(timeout_s=120, use_cache=False))
    return {"by": {o.key: o for o in result.blocks}, "all": result.blocks}


def status(outcomes: dict, doc: str, block: int, variant: str, env: str) -> str:
    o = outcomes["by"][(doc, block, variant, env)]
    return o.word if o.word != "raised" else f"raised {o.error['type']}"


def test_the_claims_name_the_blocks_as_the_articles_have_them_now() -> None:
    for (doc, block), digest in BLOCKS.items():
        assert read_document(SEEDS / doc).blocks[block - 1].digest == digest, (doc, block)


def test_article_002_is_tf1_code_that_raises_on_tf2_and_runs_with_the_shim(outcomes: dict) -> None:
    for block, missing in ((1, "global_variables_initializer"), (2, "global_variables_initializer"),
                           (3, "random_normal")):
        o = outcomes["by"][(A002, block, "as-written", "local")]
        assert (o.word, o.error["type"]) == ("raised", "AttributeError")
        assert o.error["message"] == f"module 'tensorflow' has no attribute '{missing}'"
        assert status(outcomes, A002, block, "compat-shim", "local") == "ran"
    shimmed = outcomes["by"][(A002, 1, "compat-shim", "local")]
    # compat.v1 re-runs the initializer: the assigned 2.0 goes back to 1.0, as on real TF1.
    assert shimmed.value("Value after init, following assignment") == [1.0]
    assert shimmed.value("Value after explicit assignment") == [2.0]
    counter = outcomes["by"][(A002, 2, "compat-shim", "local")]
    assert counter.value("Counter") == [1.0, 2.0, 3.0] and counter.value("Counter after second init") == [0.0]
    assert outcomes["by"][(A002, 3, "compat-shim", "local")].deterministic is False  # unseeded draws


@pytest.mark.skipif(not HAVE_TF1, reason="no CPython 3.7 for the tf1.15 venv")
def test_article_002_runs_as_written_on_tf1_and_the_tf2_articles_do_not(outcomes: dict) -> None:
    for block in (1, 2, 3):
        assert status(outcomes, A002, block, "as-written", "tf1.15") == "ran"
    assert outcomes["by"][(A002, 1, "as-written", "tf1.15")].value("Value after init, following assignment") == [1.0]
    # TF 2 code on TF 1.15: no tf.optimizers, no Keras initializer classes, no eager .numpy().
    assert status(outcomes, A004, 1, "as-written", "tf1.15") == "raised AttributeError"
    assert status(outcomes, A003, 1, "as-written", "tf1.15") == "raised AttributeError"
    assert status(outcomes, A000, 2, "as-written", "tf1.15") == "raised NotImplementedError"


def test_the_other_articles_outcomes_on_tf2(outcomes: dict) -> None:
    assert [status(outcomes, A000, b, "as-written", "local") for b in (1, 2, 3)] == ["ran"] * 3
    # The uninitialized variable raises instead of holding garbage; the later fragments lack input_dim.
    assert status(outcomes, A001, 1, "as-written", "local") == "raised ValueError"
    fragment = outcomes["by"][(A001, 2, "as-written", "local")]
    assert fragment.word == "fragment" and fragment.missing == ("input_dim", "output_dim")
    assert status(outcomes, A001, 6, "as-written", "local") == "ran"
    assert status(outcomes, A003, 1, "as-written", "local") == "ran"
    static = outcomes["by"][(A004, 1, "as-written", "local")]
    assert static.value("my_variable") == [float(-i) for i in range(1, 11)]  # not static at all
    # The shim turns TF 2 code into graph code whose .numpy() and tf.optimizers fail.
    assert status(outcomes, A004, 1, "compat-shim", "local") == "raised AttributeError"


def test_the_block_claims_are_judged_per_env_and_variant(outcomes: dict) -> None:
    verdicts = {(j.document, j.block, j.text, j.env, j.variant): j.verdict.value
                for j in judge_blocks(CLAIMS, outcomes["all"])}
    revert = "running init_op after the assignment does not revert the value to 1.0"
    assert verdicts[(A002, 1, revert, "local", "compat-shim")] == "REFUTED"
    assert verdicts[(A002, 1, revert, "local", "as-written")] == "INCONCLUSIVE"
    assert verdicts[(A002, 1, "the example's code runs", "local", "as-written")] == "REFUTED"
    static = "with `my_variable = my_variable - gradients` the printed value will likely remain static"
    assert verdicts[(A004, 1, static, "local", "as-written")] == "REFUTED"
    assert verdicts[(A001, 2, "the example's code runs", "local", "as-written")] == "INCONCLUSIVE"
    if HAVE_TF1:
        assert verdicts[(A002, 1, revert, "tf1.15", "as-written")] == "REFUTED"


def test_a_missing_seeds_folder_makes_the_claims_inconclusive_not_a_crash(monkeypatch, tmp_path: Path,
                                                                          capsys) -> None:
    monkeypatch.setenv("LAB_SEEDS", str(tmp_path / "nowhere"))
    assert main(["verbatim", "--articles", "--variant", "as-written"]) == 0
    out = capsys.readouterr().out
    assert "INCONCLUSIVE: the seeds folder" in out and "is missing" in out


def test_only_the_fragment_after_article_001_s_failing_block_changes_when_failed_definers_are_cut(
        outcomes: dict) -> None:
    """A second build with each block's own failure (issue 22: a failed definer never poisons a name
    it did not define) changes one program: 001#2 takes block 1 only up to the line that raised."""
    documents = {d.name: d for d in gather([SEEDS]).documents}
    changed = set()
    for env, variant in {(o.env, o.variant) for o in outcomes["all"]}:
        for name, document in documents.items():
            mine = [o for o in outcomes["all"] if (o.document, o.env, o.variant) == (name, env, variant)]
            failed = failed_lines((o.block, o.error) for o in mine if o.word == "raised")
            changed |= {(name, p.block.index, env, variant)
                        for p in rebuilt(build_programs(document), build_programs(document, failed=failed))}
    print("programs changed by the second build:", sorted(changed))
    assert {(d, b) for d, b, _, _ in changed} == {(A001, 2)}
    assert (A001, 2, "local", "as-written") in changed
    line = outcomes["by"][(A001, 1, "as-written", "local")].error["line"]
    program = build_programs(documents[A001], failed={1: line})[1]
    assert program.cut == (1,) and "tf.Variable(name=" not in program.text and program.fragment
