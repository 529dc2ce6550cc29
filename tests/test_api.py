"""lab.api: one call runs scenarios and documents together, and a saved folder reads back as the same Result."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab import api, pipeline
from lab.errors import ExitCode, UsageError
from lab.status import Status
from tests.conftest import FIXTURE_SCENARIOS

DOC = "# A post\n\n```python\nimport tensorflow as tf\nprint('value:', float(tf.constant(2.0) * 2))\n```\n"


@pytest.fixture
def both(tmp_path: Path, monkeypatch) -> pipeline.Result:
    """fixture-assign's twins and a one-block post, in one run of the local env."""
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    post = tmp_path / "post.md"
    post.write_text(DOC)
    work = api.Work(ids=("fixture-assign",), documents=(post,), variants=("as-written",), of_documents=True)
    return api.execute(work, api.Options(use_cache=False))


def test_scenarios_and_documents_run_in_one_plan_and_one_result(both: pipeline.Result) -> None:
    assert [(r.scenario, r.mode.value, r.status) for r in both.records] == [
        ("fixture-assign", "graph", Status.OK), ("fixture-assign", "eager", Status.OK)]
    (block,) = both.blocks
    assert (block.word, block.value("value")) == ("ran", [4.0])
    assert len(both.plan.programs) == 1 and both.plan.trials
    assert {j.of_block for j in both.judgements} == {False}  # a post of one's own has no block claims
    assert pipeline.exit_code(both) == ExitCode.OK


def test_a_saved_result_reads_back_as_the_same_result(both: pipeline.Result, tmp_path: Path) -> None:
    api.save(both, tmp_path / "out")
    again = api.read(tmp_path / "out")
    assert [r.comparable() for r in again.records] == [r.comparable() for r in both.records]
    assert [o.to_dict() for o in again.blocks] == [o.to_dict() for o in both.blocks]
    assert [j.to_dict() for j in again.judgements] == [j.to_dict() for j in both.judgements]
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"records", "verdicts.json", "manifest.json",
                                                               "verbatim.json", "report.md", "junit.xml"}


def test_work_that_names_nothing_is_one_usage_error(monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    with pytest.raises(UsageError, match="name at least one scenario id"):
        api.execute(api.Work())


def test_a_block_that_raises_fails_the_run_only_under_a_policy_that_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    post = tmp_path / "raises.md"
    post.write_text("```python\nraise ValueError('on purpose')\n```\n")
    result = api.verbatim(post, variants="as-written", use_cache=False)
    assert [o.word for o in result.blocks] == ["raised"]
    assert pipeline.exit_code(result) == ExitCode.OK  # a finding about the document
    assert pipeline.exit_code(result, pipeline.Policy(blocks_must_run=True)) == ExitCode.UNFINISHED
