"""Which release changed it: a claim's verdicts (or one observation) probed across TensorFlow
releases, by bisection (few environments built) or by a sweep of every release in a range."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

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


def spec_of(version: str, python: Optional[str]) -> str:
    return f"{f'py{python}/' if python else ''}tf=={version}"


def points_of(result: Result, target: Target, versions: Mapping[str, str]) -> List[Point]:
    """Each env's Point, from a run over the target's scenario; `versions` maps env -> version."""
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
                           outcome.problem if outcome.unavailable else ""))
    return found


def same(target: Target, a: Point, b: Point) -> bool:
    """Whether two releases agree: every verdict equal, or every observation within the
    baseline's tolerances (first_difference)."""
    if target.observation:
        return all(first_difference(x, y, REL_TOL, ABS_TOL) is None for x, y in zip(a.values, b.values))
    return a.outcome == b.outcome


Probe = Callable[[List[releases.Release]], List[Point]]
"""Runs the target in these releases' envs (in parallel) and returns a Point each, in order."""


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


def bisect(span: List[releases.Release], probe: Probe, target: Target) -> Bisection:
    """The first release of `span` (ordered good -> bad) that disagrees with span[0]. An
    untestable release is stepped around, as `git bisect skip` does."""
    if len(span) < 2:
        raise UsageError("--good and --bad must be two different releases")
    found = Bisection(span)
    good, bad = probe([span[0], span[-1]])
    found.visited += [good, bad]
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
        point = probe([span[mid]])[0]
        found.visited.append(point)
        points[mid] = point
        if point.problem:
            skipped.add(mid)
        elif same(target, good, point):
            lo = mid
        else:
            hi = mid
    found.before, found.first = points[lo], points[hi]
    found.untestable = [points[i] for i in sorted(skipped) if lo < i < hi]
    return found


def drift(points: Sequence[Point], target: Target) -> List[bool]:
    """For each point of a sweep: whether it disagrees with the previous probed one."""
    changed, last = [], None
    for point in points:
        changed.append(bool(last is not None and not point.problem and not same(target, last, point)))
        if not point.problem:
            last = point
    return changed
