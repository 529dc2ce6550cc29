"""The pytest plugin (entry point `pytest11`): assert a claim's verdict, or run a document's code blocks.

- `lab_verdict("tf1-reinit", claim=4, mode="graph", env="tf1.15") == "REFUTED"`: a fixture that runs the
  scenario through the pipeline (records of made envs come from the record cache) and returns the verdict;
  a failed comparison shows the claim and the observations that decided it.
- `@pytest.mark.lab_verbatim("post.md", env="local")`: the documents' Python blocks run through the verbatim
  runner before the test, which fails when a block does not run to the end (raised, syntax error, timeout);
  the `lab_verbatim_run` fixture gives the run to assert on.
- `pytest --lab-markdown` (or `lab_markdown = true` in the ini): every `*.md` file is collected, one test per
  Python block, run as written in `--lab-env` (default local).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from lab.errors import LabError
from lab.status import Status
from lab.values import clip, show

VERBATIM_RUN = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lab", "lab: claims about TensorFlow, settled in environments")
    group.addoption("--lab-markdown", action="store_true", help="collect *.md files: a test per Python block")
    group.addoption("--lab-env", default=None, help="the env the Markdown blocks run in (default local)")
    parser.addini("lab_markdown", type="bool", default=False, help="collect *.md files: a test per Python block")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "lab_verbatim(*paths, env='local', variants='as-written', timeout_s=60, "
                                       "repeat=1): run the documents' Python blocks through lab's verbatim runner")


class Verdict(str):
    """A verdict ('HOLDS', 'REFUTED', 'INCONCLUSIVE') that keeps the judgement it comes from."""

    judgement: Any

    def __new__(cls, judgement: Any) -> Verdict:
        made = super().__new__(cls, judgement.verdict.value)
        made.judgement = judgement
        return made


def explain(judgement: Any) -> List[str]:
    """The claim, where it was judged, and what decided it."""
    j = judgement
    lines = [f"{j.scenario} claim {j.claim} in {j.mode.value} on {j.env}: {j.verdict.value}", f"claim: {j.text}"]
    if j.evidence:
        lines.append("observations that decided:")
        lines += [f"  {k} = {clip(show(v), 300)}" for k, v in j.evidence.items()]
    if j.reason:
        lines.append(f"reason: {j.reason}")
    return lines


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: Any, right: Any) -> Optional[List[str]]:
    verdict = left if isinstance(left, Verdict) else right if isinstance(right, Verdict) else None
    if verdict is None or op not in ("==", "!="):
        return None
    return [f"{left!s} {op} {right!s}", *explain(verdict.judgement)]


@pytest.fixture(scope="session")
def _lab_results() -> Dict[Tuple[str, str, str, int], Any]:
    return {}


@pytest.fixture
def lab_verdict(_lab_results: Dict[Tuple[str, str, str, int], Any]) -> Callable[..., Verdict]:
    """`lab_verdict(scenario, claim, mode="graph", env="local", seed=1)`: the claim's verdict there."""
    from lab import api

    def verdict(scenario: str, claim: int, mode: str = "graph", env: str = "local", seed: int = 1) -> Verdict:
        key = (scenario, env, mode, seed)
        try:
            if key not in _lab_results:  # one run per scenario, env, mode and seed in a test session
                _lab_results[key] = api.run(scenario, env=env, mode=mode, seed=seed)
            return Verdict(api.judgement(scenario, claim, mode, env, seed, result=_lab_results[key]))
        except LabError as exc:
            pytest.fail(f"lab: error: {exc}", pytrace=False)

    return verdict


def _failures(outcomes: List[Any]) -> List[str]:
    """Each outcome that did not run to the end: where, what it raised, the last lines it printed."""
    lines = []
    for o in outcomes:
        error = o.error or {}
        where = f", block line {error['line']}" if error.get("line") else ""
        lines.append(f"{o.document} block {o.block} (line {o.line}{where}) {o.variant} in {o.env}: "
                     f"{o.word}: {error.get('type', '')}: {error.get('message', o.why)}")
        tail = o.stdout.strip().splitlines()[-5:]
        lines += [f"    printed: {line}" for line in tail]
    return lines


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("lab_verbatim")
    if marker is None:
        return
    from lab import api

    base = Path(str(item.path)).parent
    options = dict(marker.kwargs)
    options.setdefault("variants", "as-written")
    options.setdefault("repeat", 1)  # a test asks whether the blocks run, not whether they print the same twice
    try:
        item.stash[VERBATIM_RUN] = api.verbatim(*(base / p for p in marker.args), **options)
    except LabError as exc:
        pytest.fail(f"lab: error: {exc}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    done = item.stash.get(VERBATIM_RUN, None)
    if done is not None and done.failed():
        pytest.fail("\n".join(["blocks that did not run to the end:", *_failures(done.failed())]), pytrace=False)


@pytest.fixture
def lab_verbatim_run(request: pytest.FixtureRequest) -> Any:
    """The Result of the test's `lab_verbatim` marker."""
    done = request.node.stash.get(VERBATIM_RUN, None)
    if done is None:
        pytest.fail("lab_verbatim_run needs @pytest.mark.lab_verbatim(PATH...) on the test", pytrace=False)
    return done


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    config = parent.config
    if file_path.suffix == ".md" and (config.getoption("lab_markdown") or config.getini("lab_markdown")):
        return MarkdownFile.from_parent(parent, path=file_path)
    return None


class MarkdownFile(pytest.File):
    """A Markdown document: a test per Python block, all run at once (one TensorFlow import)."""

    done: Any = None

    def collect(self) -> Iterator[pytest.Item]:
        from lab.verbatim.documents import read_document

        try:
            document = read_document(self.path, self.path.name)
        except LabError as exc:
            raise self.CollectError(f"lab: error: {exc}") from None
        for block in document.blocks:
            yield BlockItem.from_parent(self, name=f"block{block.index}-line{block.first_line}", block=block)

    def verbatim(self) -> Any:
        if self.done is None:
            from lab import api

            self.done = api.verbatim(self.path, env=self.config.getoption("lab_env") or "local",
                                     variants="as-written", repeat=1)
        return self.done


class BlockFailed(Exception):
    """A block that did not run to the end."""


class BlockItem(pytest.Item):
    """One Python block of a Markdown document, run as written."""

    def __init__(self, *, block: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block = block

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, MarkdownFile)
        done = parent.verbatim()
        mine = [o for o in done.blocks if o.block == self.block.index]
        if mine and mine[0].status is Status.FRAGMENT:
            pytest.skip(f"a fragment: it uses names nothing before it defines ({', '.join(mine[0].missing)})")
        failed = [o for o in mine if o.failed]
        if failed:
            raise BlockFailed("\n".join(_failures(failed)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, BlockFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> Tuple[Any, Optional[int], str]:
        return self.path, self.block.first_line - 1, f"{self.path.name} block {self.block.index}"

