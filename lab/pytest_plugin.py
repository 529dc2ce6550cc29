"""The pytest plugin (entry point `pytest11`): assert a claim's verdict, or run a document's code blocks.

- `lab_verdict("tf1-reinit", claim=4, mode="graph", env="tf1.15") == "REFUTED"`: a fixture that runs the
  scenario through the pipeline (records of made envs come from the record cache) and returns the verdict,
  with the `.evidence` that decided it; a failed comparison shows the claim and those observations. An
  unknown mode, or a comparison with a word that is no verdict, fails naming it.
- `@pytest.mark.lab_verbatim("post.md", env="local")`: the documents' Python blocks run through the verbatim
  runner before the test, which fails when a block does not run to the end (raised, syntax error, timeout),
  when one prints other output than the document shows, or when a document is missing; the
  `lab_verbatim_run` fixture gives the run to assert on.
- `pytest --lab-markdown` (or `lab_markdown = true` in the ini): every `*.md` file is collected, one test per
  Python block, run as written in `--lab-env` (default local); a block fails on an error and on output
  other than the document shows.
- `--lab-update` rewrites the output the documents show with what their blocks print (as pytest-examples'
  `--update-examples`); `--lab-output-check strict|numbers|lax` says how they are compared (lax: only the
  blocks marked NBVAL_CHECK_OUTPUT, as nbval's `--nbval-lax`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, NoReturn, Optional, Sequence, Tuple, Union

import pytest

from lab.errors import LabError, UsageError
from lab.status import Status
from lab.values import clip, show

VERBATIM_RUN = pytest.StashKey[Any]()
VERDICTS = ("HOLDS", "REFUTED", "INCONCLUSIVE")
MODES = ("graph", "eager")
HEADER = 40
"""How much of a value an assertion's first line shows."""
MARKER_OPTIONS = ("env", "variants", "timeout_s", "repeat", "semantics", "output_check", "allow_shell")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lab", "lab: claims about TensorFlow, settled in environments")
    group.addoption("--lab-markdown", action="store_true", help="collect *.md files: a test per Python block")
    group.addoption("--lab-env", default=None, help="the env the Markdown blocks run in (default local)")
    group.addoption("--lab-update", action="store_true",
                    help="rewrite the output documents show with what their blocks print")
    group.addoption("--lab-output-check", default=None, choices=("strict", "numbers", "lax"),
                    help="how printed output is compared with what a document shows (default strict; lax: only "
                         "blocks marked NBVAL_CHECK_OUTPUT)")
    parser.addini("lab_markdown", type="bool", default=False, help="collect *.md files: a test per Python block")
    parser.addini("lab_output_check", default="strict", help="strict, numbers or lax")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "lab_verbatim(*paths, env='local', variants='as-written', timeout_s=60, "
                                       "repeat=1, semantics=None, output_check=None, allow_shell=False): run the "
                                       "documents' Python blocks through lab's verbatim runner")


def _fail(message: str) -> NoReturn:
    """One line, raised outside any `except`, so pytest shows no chained exception beneath it."""
    pytest.fail(f"lab: error: {message}", pytrace=False)


class Verdict(str):  # noqa: SLOT000  the judgement lives in __dict__: str takes no non-empty __slots__
    """A verdict ('HOLDS', 'REFUTED', 'INCONCLUSIVE') that keeps the judgement it comes from; compared
    with a word that is no verdict, it fails naming the word."""

    judgement: Any

    def __new__(cls, judgement: Any) -> Verdict:
        made = super().__new__(cls, judgement.verdict.value)
        made.judgement = judgement
        return made

    @property
    def evidence(self) -> Any:
        """The observations that decided it, key -> value."""
        return self.judgement.evidence

    @property
    def reason(self) -> str:
        """Why it is INCONCLUSIVE, when it is."""
        return str(self.judgement.reason)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str) and not isinstance(other, Verdict) and other not in VERDICTS:
            _fail(f"{other!r} is no verdict: compare with {', '.join(VERDICTS)}")
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


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


def _short(value: Any) -> str:
    return clip(str(value) if isinstance(value, Verdict) else repr(value), HEADER)


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: Any, right: Any) -> Optional[List[str]]:
    from lab.verbatim.outcome import Outcome

    verdict = left if isinstance(left, Verdict) else right if isinstance(right, Verdict) else None
    if verdict is not None and op in ("==", "!="):
        return [f"{_short(left)} {op} {_short(right)}", *explain(verdict.judgement)]
    if isinstance(left, Outcome) or isinstance(right, Outcome):  # a dataclass of 20 fields: not all on one line
        lines = [f"{_short(left)} {op} {_short(right)}"]
        if isinstance(left, Outcome) and isinstance(right, Outcome):
            lines += [f"  {f}: {clip(repr(getattr(left, f)), HEADER)} != {clip(repr(getattr(right, f)), HEADER)}"
                      for f in left.__dataclass_fields__ if getattr(left, f) != getattr(right, f)]
        return lines
    return None


@pytest.fixture(scope="session")
def _lab_results() -> Dict[Tuple[str, str, str, int], Any]:
    return {}


@pytest.fixture
def lab_verdict(_lab_results: Dict[Tuple[str, str, str, int], Any]) -> Callable[..., Verdict]:
    """`lab_verdict(scenario, claim, mode="graph", env="local", seed=1)`: the claim's verdict there."""
    from lab import api

    def verdict(scenario: str, claim: int, mode: str = "graph", env: str = "local", seed: int = 1) -> Verdict:
        if mode not in MODES:
            _fail(f"unknown mode {mode!r}: use {' or '.join(MODES)}")
        key = (scenario, env, mode, seed)
        problem = ""
        try:
            if key not in _lab_results:  # one run per scenario, env, mode and seed in a test session
                _lab_results[key] = api.run(scenario, env=env, mode=mode, seed=seed)
            return Verdict(api.judgement(scenario, claim, mode, env, seed, result=_lab_results[key]))
        except LabError as exc:
            problem = str(exc)
        _fail(problem)

    return verdict


def _output_check(config: pytest.Config, given: Optional[str] = None) -> str:
    return given or config.getoption("lab_output_check") or str(config.getini("lab_output_check") or "strict")


def verbatim(config: pytest.Config, paths: Sequence[Path], **options: Any) -> Any:
    """The documents' blocks through the verbatim runner, as `lab verbatim` runs them: as written, in `env`,
    once each (a test asks whether they run and print what they show, not whether twice alike)."""
    from lab import api

    unknown = sorted(set(options) - set(MARKER_OPTIONS))
    if unknown:
        raise UsageError(f"lab_verbatim: unknown option {unknown[0]!r}: use {', '.join(MARKER_OPTIONS)}")
    env: Union[str, Sequence[str]] = options.get("env") or "local"
    numbers = {}
    for name, kind, default in (("timeout_s", float, 60.0), ("repeat", int, 1)):
        try:
            numbers[name] = kind(options.get(name, default))
        except (TypeError, ValueError):
            raise UsageError(f"lab_verbatim: {name}={options[name]!r} is not a number: give e.g. {name}={default!r}") \
                from None
    return api.verbatim(*paths, env=env, variants=options.get("variants") or "as-written",
                        timeout_s=numbers["timeout_s"], repeat=int(numbers["repeat"]),
                        semantics=options.get("semantics"), allow_shell=bool(options.get("allow_shell", False)),
                        output_check=_output_check(config, options.get("output_check")))


def _failures(outcomes: List[Any]) -> List[str]:
    """Each outcome that did not run to the end: where, what it raised, the last lines it printed."""
    from lab.reports.verbatim import error_place, place

    lines = []
    for o in outcomes:
        error = o.error or {}
        where = error_place(o)
        lines.append(f"{place(o)} {o.variant} in {o.env}: {o.word}: {error.get('type', '')}: "
                     f"{error.get('message', o.why)}" + (f" ({where})" if where else ""))
        tail = o.stdout.strip().splitlines()[-5:]
        lines += [f"    printed: {line}" for line in tail]
    return lines


def _differences(outcomes: List[Any]) -> List[str]:
    """Each outcome whose printed output is not what its document shows: where, and the first difference."""
    from lab.reports.verbatim import place

    return [f"{place(o)} {o.variant} in {o.env}: {o.match_detail}" for o in outcomes if o.match == "differs"]


def update_shown(done: Any) -> List[str]:
    """Rewrite each document's shown output with what its blocks printed (the first env's as-written run);
    what changed, one line per document."""
    from lab.verbatim.shown import update

    changed = []
    for document in done.documents.found.documents:
        mine = [o for o in done.blocks if o.document == document.name and o.variant == "as-written"
                and o.env == done.blocks[0].env and o.match == "differs"]
        if not mine:
            continue
        if document.kind == "notebook":
            from lab.verbatim.programs import own_output

            blocks = update(document, {o.block: own_output(o.stdout) for o in mine},
                            {o.block: o.shown_value for o in mine if o.shown_value is not None})
        else:
            blocks = update(document, {o.block: o.printed for o in mine})
        if blocks:
            changed.append(f"{document.name}: updated the output of block(s) {', '.join(map(str, blocks))}")
    return changed


def _checked(config: pytest.Config, done: Any) -> List[str]:
    """What fails a test of these outcomes: the blocks that did not run to the end and the outputs
    that differ from the document's (unless --lab-update rewrote them)."""
    lines = []
    if done.failed():
        lines += ["blocks that did not run to the end:", *_failures(done.failed())]
    differ = _differences(done.blocks)
    if differ and config.getoption("lab_update"):
        update_shown(done)
    elif differ:
        lines += ["blocks that print other output than their document shows (--lab-update rewrites it):", *differ]
    return lines


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("lab_verbatim")
    if marker is None:
        return
    base = Path(str(item.path)).parent
    problem = ""
    try:
        done = verbatim(item.config, [base / p for p in marker.args], **marker.kwargs)
    except LabError as exc:
        problem = str(exc)
    else:
        if done.documents is not None and done.documents.found.errors:
            problem = "; ".join(done.documents.found.errors)
        item.stash[VERBATIM_RUN] = done
    if problem:
        _fail(problem)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    done = item.stash.get(VERBATIM_RUN, None)
    if done is None:
        return
    lines = _checked(item.config, done)
    if lines:
        pytest.fail("\n".join(lines), pytrace=False)


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
    problem = ""
    """The run's one-line error (an unknown env, a bad option): every block fails with it, once run."""

    def collect(self) -> Iterator[pytest.Item]:
        from lab.verbatim.documents import read_document

        problem = ""
        try:
            document = read_document(self.path, self.path.name)
        except LabError as exc:
            problem = str(exc)
        if problem:
            raise self.CollectError(f"lab: error: {problem}")
        for block in document.blocks:
            yield BlockItem.from_parent(self, name=f"block{block.index}-line{block.first_line}", block=block)

    def verbatim(self) -> Any:
        if self.done is None and not self.problem:
            try:
                self.done = verbatim(self.config, [self.path], env=self.config.getoption("lab_env") or "local")
            except LabError as exc:
                self.problem = str(exc)
            else:
                if self.config.getoption("lab_update"):
                    update_shown(self.done)
        if self.problem:
            _fail(self.problem)
        return self.done


class BlockFailed(Exception):
    """A block that did not run to the end, or printed other output than its document shows."""


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
        if mine and mine[0].status is Status.SHELL:
            pytest.skip(f"shell commands only, not run: {'; '.join(mine[0].skipped)}")
        lines = [*_failures([o for o in mine if o.failed])]
        differ = _differences(mine)
        if differ and not self.config.getoption("lab_update"):
            lines += ["it prints other output than its document shows (--lab-update rewrites it):", *differ]
        if lines:
            raise BlockFailed("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, BlockFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> Tuple[Any, Optional[int], str]:
        return self.path, self.block.first_line - 1, f"{self.path.name} block {self.block.index}"
