"""Which release changed it: a claim's verdicts (or one observation), or a document block's outcome
(or a value it prints), probed across TensorFlow releases, by bisection (few environments made)
or by a sweep of every release in a range."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from lab import releases
from lab.baseline import ABS_TOL, REL_TOL, first_difference
from lab.errors import UsageError
from lab.guest.catalog import Mode, Scenario
from lab.pipeline import Result
from lab.record import Record
from lab.values import show

ABSENT = "(absent)"


@dataclass(frozen=True)
class Target:
    """What is compared between releases: a scenario's claims (or one), or one observation."""

    scenario: str
    claim: Optional[int]
    """1-based; None: every claim of the scenario."""
    claims: Tuple[int, ...]
    """The claim numbers compared (one, or all)."""
    modes: Tuple[Mode, ...]
    observation: Optional[str] = None
    """With it, the observation's value is compared (baseline tolerances), not verdicts."""

    @property
    def labels(self) -> List[str]:
        """One per compared value: '#4 graph', or 'type_1 graph' for an observation."""
        heads = [self.observation] if self.observation else [f"#{n}" for n in self.claims]
        return [f"{h} {m.value}" for h in heads for m in self.modes]

    def __str__(self) -> str:
        what = f" observation {self.observation}" if self.observation else ""
        return f"{self.scenario}{f'#{self.claim}' if self.claim else ''}{what}"


@dataclass(frozen=True)
class BlockTarget:
    """What is compared between releases for a document's block: how its program ended (ran,
    raised TypeError, ...), or the value it prints under a label."""

    document: Path
    block: int
    """1-based, as `lab verbatim` numbers the blocks (post.md#3)."""
    observation: Optional[str] = None
    """With it, the values the block prints under this label are compared (baseline tolerances)."""

    @property
    def labels(self) -> List[str]:
        return [self.observation or f"block {self.block}"]

    def __str__(self) -> str:
        what = f" printed {self.observation}" if self.observation else ""
        return f"{self.document.name}#{self.block}{what}"


AnyTarget = Union[Target, BlockTarget]


def is_document(text: str) -> bool:
    """Whether a bisect target names a document's block (post.md#3) rather than a scenario: its
    part before '#' is a file, or has a path separator or a file suffix (scenario ids have neither)."""
    head = text.partition("#")[0]
    return Path(head).is_file() or "/" in head or "." in head


def parse_block_target(text: str, observation: Optional[str] = None) -> BlockTarget:
    """'post.md#3' -> a BlockTarget; one-line UsageErrors for a missing file or block number."""
    head, _, number = text.rpartition("#")
    if not head:
        raise UsageError(f"{text!r}: name the block as DOCUMENT#N (post.md#3); `lab verbatim DOCUMENT` numbers them")
    if not Path(head).is_file():
        raise UsageError(f"{text!r}: no document {head}")
    if not number.isdigit() or int(number) < 1:
        raise UsageError(f"{text!r}: the block is a number from 1 (`lab verbatim {head}` lists them)")
    return BlockTarget(Path(head), int(number), observation)


def parse_target(text: str, scenarios: Mapping[str, Scenario], modes: Sequence[Mode],
                 observation: Optional[str] = None) -> Target:
    """'tf1-reinit#4' or 'tf1-reinit' -> a Target; one-line UsageErrors for unknown ids and claims."""
    from lab.pipeline import select

    sid, _, number = text.partition("#")
    scenario = select(scenarios, [sid])[0]
    count = len(scenario.claims)
    if number:
        if not number.isdigit() or not 1 <= int(number) <= count:
            raise UsageError(f"{text!r}: {sid} has claims #1 to #{count} ('lab show {sid}' lists them)")
        return Target(sid, int(number), (int(number),), tuple(modes), observation)
    return Target(sid, None, tuple(range(1, count + 1)), tuple(modes), observation)


@dataclass(frozen=True)
class Point:
    """One release, probed."""

    version: str
    env: str
    """The env's folder-safe name ('tf2.14.0')."""
    spec: str
    """The pin it was made from ('tf==2.14.0')."""
    outcome: Tuple[str, ...] = ()
    """Per Target.labels: a verdict, or an observation shown short."""
    values: Tuple[Any, ...] = ()
    """Per Target.labels: the observation's value, or the evidence that decided the verdict."""
    python: str = ""
    problem: str = ""
    """Why the release could not be probed (no venv, crash); '' when it was."""
    python_why: str = ""
    """Why that Python: the spec's resolution ('tf==2.10.0 on Python 3.10: newest with a 2.10.0 wheel of those ...')."""
    made_s: Optional[float] = None
    """Seconds its environment took to make; None when it was made before."""
    disk_bytes: Optional[int] = None
    """Bytes on disk its environment added (a venv: its files not hardlinked from uv's cache)."""
    probe_s: Optional[float] = None
    """Wall seconds of the probe that ran it (both ends share one)."""


def made_of(description: Mapping[str, Any]) -> Dict[str, Any]:
    """A Point's made_s and disk_bytes, from its env's description (set when this process made it)."""
    return {"made_s": description.get("made_s"), "disk_bytes": description.get("disk_bytes")}


def points_of(result: Result, target: Target, versions: Mapping[str, str],
              whys: Optional[Mapping[str, str]] = None) -> List[Point]:
    """Each env's Point, from a run over the target's scenario; `versions` maps env -> version,
    `whys` env -> how its Python was chosen."""
    by_key: Dict[Tuple[str, str], Record] = {(r.env, r.mode.value): r for r in result.records}
    judged = {(j.env, j.claim, j.twin.value): j for j in result.scenario_judgements if j.scenario == target.scenario}
    found = []
    for outcome in result.outcomes:
        outs: List[str] = []
        values: List[Any] = []
        for head in ([target.observation] if target.observation else target.claims):
            for mode in target.modes:
                record = by_key.get((outcome.name, mode.value))
                if target.observation:
                    if record is None or not record.ok:
                        value: Any = f"({record.status.value if record else 'not run'})"
                    else:
                        value = record.observations.get(str(head), ABSENT)
                    outs.append(value if isinstance(value, str) and value.startswith("(") else show(value))
                    values.append(value)
                else:
                    j = judged.get((outcome.name, int(head), mode.value))
                    outs.append(j.verdict.value if j else "(not judged)")
                    values.append(dict(j.evidence) if j and j.evidence else (j.reason if j else ""))
        facts = next((r.facts for r in result.records if r.env == outcome.name and r.facts), {})
        found.append(Point(versions[outcome.name], outcome.name, str(outcome.description.get("spec", "")),
                           tuple(outs), tuple(values), str(facts.get("python", "")),
                           outcome.problem if outcome.unavailable else "", (whys or {}).get(outcome.name, ""),
                           **made_of(outcome.description)))
    return found


def block_point(target: BlockTarget, version: str, env: str, spec: str, outcome: Any, problem: str,
                description: Mapping[str, Any], why: str = "") -> Point:
    """A release's Point for a document's block, from its verbatim Outcome in that release's env."""
    if outcome is None or (problem and not outcome.ended):
        return Point(version, env, spec, problem=problem or "the block did not run", python_why=why,
                     **made_of(description))
    python = str(outcome.facts.get("python", ""))
    if target.observation:
        if not outcome.ended:
            value: Any = f"({outcome.word})"
        else:
            found = outcome.value(target.observation)
            value = found or ABSENT
        shown = value if isinstance(value, str) and value.startswith("(") else show(value)
        return Point(version, env, spec, (shown,), (value,), python, "", why, **made_of(description))
    error = dict(outcome.error or {})
    word = f"{outcome.word} {error['type']}" if error.get("type") else outcome.word
    ended = {"status": outcome.word, **({"error": f"{error.get('type')}: {error.get('message', '')}",
                                         "in_block": error.get("block"), "line": error.get("line")} if error else {})}
    return Point(version, env, spec, (word,), (ended,), python, "", why, **made_of(description))


def same(target: AnyTarget, a: Point, b: Point) -> bool:
    """Whether two releases agree: every verdict equal, or every observation within the
    baseline's tolerances (first_difference)."""
    if target.observation:
        return all(first_difference(x, y, REL_TOL, ABS_TOL) is None for x, y in zip(a.values, b.values))
    return a.outcome == b.outcome


Probe = Callable[[List[releases.Release]], List[Point]]
"""Runs the target in these releases' envs (in parallel) and returns a Point each, in order."""


@dataclass(frozen=True)
class Probing:
    """A probe about to run: its numbers among the bisection's probes, and why these releases."""

    numbers: Tuple[int, ...]
    bound: int
    releases: Tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Decided:
    """A release probed and what it tells: the end it is, or which side of the change it lies on."""

    number: int
    bound: int
    point: Point
    verdict: str
    """'good end', 'bad end', 'agrees with 2.5.3: the change is later', 'differs from 2.5.3: ...',
    'could not be probed: skipped'."""
    python_before: str = ""
    """The Python of the release decided before it ('' for the first): a change is worth a word."""


Progress = Callable[[Union[Probing, Decided]], None]
"""Live progress: each probe as it starts, each release as it is decided."""


@dataclass
class Bisection:
    """What a bisection visited and found."""

    span: List[releases.Release]
    """Every release from good to bad, both included."""
    visited: List[Point] = field(default_factory=list)
    """In the order probed: both ends first."""
    before: Optional[Point] = None
    """The last release that agrees with the good end."""
    first: Optional[Point] = None
    """The first release that does not; None when both ends agree."""
    untestable: List[Point] = field(default_factory=list)
    """Releases between `before` and `first` that could not be probed."""

    @property
    def bound(self) -> int:
        """The most envs a bisection of this span builds: both ends and log2 of what lies between."""
        return 2 + math.ceil(math.log2(max(1, len(self.span) - 1)))


def bisect(span: List[releases.Release], probe: Probe, target: AnyTarget,
           progress: Progress = lambda event: None) -> Bisection:
    """The first release of `span` (ordered good -> bad) that disagrees with span[0]. An
    untestable release is stepped around, as `git bisect skip` does."""
    if len(span) < 2:
        raise UsageError("--good and --bad must be two different releases")
    found = Bisection(span)
    bound = found.bound
    last_python = [""]

    def run(indices: List[int], why: str) -> List[Point]:
        first = len(found.visited) + 1
        numbers = tuple(range(first, first + len(indices)))
        progress(Probing(numbers, bound, tuple(span[i].version for i in indices), why))
        started = time.monotonic()
        points = probe([span[i] for i in indices])
        seconds = round(time.monotonic() - started, 2)
        points = [dataclasses.replace(p, probe_s=seconds) for p in points]
        found.visited.extend(points)
        return points

    def decided(number: int, point: Point, verdict: str) -> None:
        progress(Decided(number, bound, point, verdict, last_python[0]))
        last_python[0] = point.python or last_python[0]

    good, bad = run([0, len(span) - 1], "both ends")
    decided(1, good, "good end" if not good.problem else f"could not be probed: {good.problem}")
    decided(2, bad, "bad end" if not bad.problem else f"could not be probed: {bad.problem}")
    for end in (good, bad):
        if end.problem:
            raise UsageError(f"the end {end.spec} could not be probed: {end.problem}")
    if same(target, good, bad):
        found.before = bad
        return found
    points = {0: good, len(span) - 1: bad}
    lo, hi, skipped = 0, len(span) - 1, set()
    while True:
        middle = [i for i in range(lo + 1, hi) if i not in skipped]
        if not middle:
            break
        mid = min(middle, key=lambda i: (abs(i - (lo + hi) // 2), i))
        why = (f"the middle of {span[lo].version} (agrees) .. {span[hi].version} (differs): "
               f"{hi - lo - 1} release{'s' if hi - lo - 1 != 1 else ''} between")
        point = run([mid], why)[0]
        points[mid] = point
        if point.problem:
            skipped.add(mid)
            verdict = f"could not be probed ({point.problem}): skipped"
        elif same(target, good, point):
            lo = mid
            verdict = f"agrees with {good.version}: the change is later"
        else:
            hi = mid
            verdict = f"differs from {good.version}: the change is here or earlier"
        decided(len(found.visited), point, verdict)
    found.before, found.first = points[lo], points[hi]
    found.untestable = [points[i] for i in sorted(skipped) if lo < i < hi]
    return found


def drift(points: Sequence[Point], target: AnyTarget) -> List[bool]:
    """For each point of a sweep: whether it disagrees with the previous probed one."""
    changed, last = [], None
    for point in points:
        changed.append(bool(last is not None and not point.problem and not same(target, last, point)))
        if not point.problem:
            last = point
    return changed
