"""Scenarios, their claims and twins; load_scenarios() collects and validates them.

Runs on both sides: the host lists, shows and judges scenarios, the guest runs their twins.
Standard library only, Python 3.7 and up (TensorFlow 1.15 runs on 3.7).
"""

from __future__ import annotations

import enum
import importlib.util
import inspect
import re
import sys
import textwrap
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ScenarioError(ValueError):
    """A scenario module is malformed: the message names the file (and line) and what to fix."""


class Mode(str, enum.Enum):
    """How a twin executes: a TF1-style graph and Session, or TF2 eager execution."""

    GRAPH = "graph"
    EAGER = "eager"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Source:
    """Where a scenario comes from."""

    article: str
    """The article's file name under shared/seeds, e.g. '002_47706e3e358c726a.txt'."""
    example: str
    """The example's title as the article gives it, or the passage the scenario checks."""

    def __str__(self) -> str:
        return f"{self.article}: {self.example}"


Instead = Union[str, Callable[[Any], str]]
"""What the reader sees where a claim's premise is missing: a sentence, or a function of the
observations that returns one (so it can show the values the run gave)."""


@dataclass(frozen=True)
class Premise:
    """What a claim takes for granted, which a run may lack: an update that happened, a loop that
    ran to the end. Where it did not occur the claim is INCONCLUSIVE, naming it and what the
    reader sees instead; the claim that states it (without a premise) is the one judged on it."""

    text: str
    """The premise in a few words, as the verdict names it: 'the optimizer changes the weight at every step'."""
    occurred: Callable[[Any], Any]
    """Over the observations: truthy when the premise occurred in this run."""
    instead: Instead
    """What the reader sees where it did not occur, e.g. 'the training loop raises TypeError: ...'."""


@dataclass(frozen=True)
class Claim:
    """A statement from an article, encoded as a predicate over one twin's observations."""

    text: str
    """The statement in one line, as the article makes it (not as TensorFlow behaves)."""
    check: Callable[[Any], Any]
    """Predicate over the observations: truthy HOLDS, falsy REFUTED, None INCONCLUSIVE."""
    quote: str = ""
    """The article's own words, shortened, for `lab show` and reports."""
    not_in: Tuple[str, ...] = ()
    """Modes where the claim's premise cannot occur ('eager'): judged INCONCLUSIVE there."""
    why: str = ""
    """Why the premise cannot occur in those modes; the reason its INCONCLUSIVE verdict gives."""
    instead: Instead = ""
    """What the reader sees instead in those modes (in eager a variable holds its value from creation)."""
    premise: Optional[Premise] = None
    """What the claim takes for granted in a run; judged INCONCLUSIVE, naming it, where it did not occur."""

    def not_applicable(self, mode: str) -> bool:
        """Whether the claim is about something the `mode` twin cannot do."""
        return str(mode) in self.not_in


class Undecided:
    """What a predicate returns when the observations cannot decide it, with the reason why
    (the twin's code raised before it got there): judged INCONCLUSIVE with that reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        raise TypeError("an Undecided result is neither true nor false")

    def __repr__(self) -> str:
        return f"Undecided({self.reason!r})"


Twin = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Scenario:
    """One reproducible situation from an article example, with its claims and its two twins."""

    id: str
    """Kebab-case id used on the command line, e.g. 'tf1-reinit'."""
    source: Source
    """The article and example it reproduces."""
    summary: str
    """One line: the first line of the scenario class's docstring."""
    claims: Tuple[Claim, ...]
    """The article's statements, judged per mode and per environment."""
    twins: Mapping[Mode, Twin]
    """The graph twin and the eager twin; each takes (tf, recorder)."""
    path: str = ""
    """The module file that defines it, for messages and `lab show`."""
    class_name: str = ""
    """The class in that module that defines it (the cache hashes its source)."""
    tags: Tuple[str, ...] = ()
    """Topics to select it by (`lab run --tag seeding`, `-k`): 'initializer', 'reinit', 'keras', ..."""
    substitutes: Tuple[str, ...] = ()
    """The APIs its twins use in place of the article's ('tf.compat.v1.train.AdamOptimizer'): a
    named variant (house style 5). Empty when the twins are the article's own code."""

    def twin(self, mode: Mode) -> Twin:
        return self.twins[mode]

    def code(self, mode: Mode) -> str:
        """The twin's source, dedented, as `lab show` prints it."""
        # dedent, not cleandoc: cleandoc treats the `def` line like a docstring's first line.
        return textwrap.dedent(inspect.getsource(self.twins[mode])).rstrip()

    def __str__(self) -> str:
        return self.id


@dataclass
class _Marked:
    """What the decorator leaves behind; validated by load_scenarios()."""

    id: Any
    source: Any
    claims: Any
    cls: type
    module: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)
    tags: Any = ()
    substitutes: Any = ()


_marked: List[_Marked] = []


def scenario(id: str, *, source: Source, claims: Sequence[Claim] = (), tags: Sequence[str] = (),
             substitutes: Sequence[str] = ()) -> Callable[[type], type]:
    """Mark a class holding `graph(tf, obs)` and `eager(tf, obs)` as a scenario; only marks."""

    def mark(cls: type) -> type:
        _marked.append(_Marked(id, source, list(claims), cls, getattr(cls, "__module__", ""), tags=tags,
                               substitutes=substitutes))
        return cls

    return mark


def _validate(m: _Marked, path: str) -> Scenario:
    where = f"{path}: scenario class {m.cls.__name__}"
    if not isinstance(m.id, str) or not ID_PATTERN.match(m.id):
        raise ScenarioError(f"{where}: id {m.id!r} must be kebab-case like 'tf1-reinit'")
    if not isinstance(m.source, Source):
        raise ScenarioError(f"{where} ({m.id}): source must be Source(article, example)")
    summary = (inspect.getdoc(m.cls) or "").strip().splitlines()
    if not summary:
        raise ScenarioError(f"{where} ({m.id}): add a one-line docstring that summarises it")
    twins = {}
    for mode in Mode:
        fn = m.cls.__dict__.get(mode.value)
        if isinstance(fn, staticmethod):
            fn = fn.__func__
        if not callable(fn):
            raise ScenarioError(f"{where} ({m.id}): missing the {mode.value} twin: def {mode.value}(tf, obs)")
        twins[mode] = fn
    for i, claim in enumerate(m.claims, 1):
        if not isinstance(claim, Claim):
            raise ScenarioError(f"{where} ({m.id}): claim {i} must be a Claim, got {type(claim).__name__}")
        if not claim.text.strip():
            raise ScenarioError(f"{where} ({m.id}): claim {i} has no text")
        if not callable(claim.check):
            raise ScenarioError(f"{where} ({m.id}): claim {i} ({claim.text!r}) has no predicate")
        modes = {mode.value for mode in Mode}
        if isinstance(claim.not_in, str) or not set(claim.not_in) <= modes:
            raise ScenarioError(f"{where} ({m.id}): claim {i}: not_in must be a tuple of modes "
                                f"{sorted(modes)}, got {claim.not_in!r}")
        if claim.not_in and not claim.why.strip():
            raise ScenarioError(f"{where} ({m.id}): claim {i}: say why it does not apply in "
                                f"{', '.join(claim.not_in)} (why=...)")
        if claim.not_in and not _says_instead(claim.instead):
            raise ScenarioError(f"{where} ({m.id}): claim {i}: say what the reader sees instead in "
                                f"{', '.join(claim.not_in)} (instead=...)")
        _validate_premise(claim.premise, f"{where} ({m.id}): claim {i}")
    if isinstance(m.tags, str) or not all(isinstance(t, str) and ID_PATTERN.match(t) for t in m.tags):
        raise ScenarioError(f"{where} ({m.id}): tags must be a list of kebab-case words like ['reinit'], "
                            f"got {m.tags!r}")
    if isinstance(m.substitutes, str) or not all(isinstance(a, str) and a.startswith("tf.") for a in m.substitutes):
        raise ScenarioError(f"{where} ({m.id}): substitutes must be a list of the APIs used in place of the "
                            f"article's, like ['tf.compat.v1.train.AdamOptimizer'], got {m.substitutes!r}")
    return Scenario(m.id, m.source, summary[0], tuple(m.claims), twins, path, m.cls.__name__,
                    tuple(dict.fromkeys(m.tags)), tuple(m.substitutes))


def _says_instead(instead: Any) -> bool:
    return callable(instead) or (isinstance(instead, str) and bool(instead.strip()))


def _validate_premise(premise: Any, where: str) -> None:
    if premise is None:
        return
    if not isinstance(premise, Premise):
        raise ScenarioError(f"{where}: premise must be a Premise(text, occurred, instead), "
                            f"got {type(premise).__name__}")
    if not premise.text.strip() or not callable(premise.occurred):
        raise ScenarioError(f"{where}: the premise needs its text and a predicate saying whether it occurred")
    if not _says_instead(premise.instead):
        raise ScenarioError(f"{where}: premise {premise.text!r}: say what the reader sees instead (instead=...)")


def _import_file(path: Path) -> None:
    # A stable name per directory, so two directories may both hold e.g. basics.py.
    name = f"lab_scenarios_{zlib.crc32(str(path.parent).encode()):08x}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScenarioError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise ScenarioError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # an import error, a NameError at module level: the author's to fix
        del sys.modules[name]
        raise ScenarioError(f"{path}:{_line_in(path, exc)}: importing it raised {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}") from None


def _line_in(path: Path, exc: BaseException) -> int:
    """The line of `path` where `exc` was raised (the deepest frame in that file), or 0."""
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def load_scenarios(dirs: Iterable[Path]) -> Dict[str, Scenario]:
    """Import every scenario module in `dirs` (sorted, so the order is stable) and validate each."""
    found: Dict[str, Scenario] = {}
    for directory in dirs:
        directory = Path(directory)
        if not directory.is_dir():
            raise ScenarioError(f"scenario directory {directory} does not exist")
        # Scenario modules may import the `_*.py` helpers beside them (which are shipped, and
        # hashed into every cache key of that folder).
        if str(directory) not in sys.path:
            sys.path.append(str(directory))
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            start = len(_marked)
            _import_file(path)
            for m in _marked[start:]:
                s = _validate(m, str(path))
                if s.id in found:
                    raise ScenarioError(f"duplicate scenario id {s.id!r}: in {found[s.id].path} and {path}")
                found[s.id] = s
            del _marked[start:]
    return found
