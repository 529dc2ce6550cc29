"""One guest's work: the request the host writes, and the outcomes it accepts back.

Nothing from the guest chooses a job or names a path. An answer counts only for a job the host
asked for, once, and only when the job's kind accepts it (lib/jobs); a job without an accepted
answer gets an outcome that says why. The environment kinds start the guest and feed its
channel here; they all end the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.channel import Channel, JobLine
from lab.jobs import Kinds
from lab.jobs.ended import last_words
from lab.status import Status
from lab.text import printable

GUEST = "lab.guest"
"""The guest's entry: python -m lab.guest --request R."""
SHOWN_FACTS = 40
"""What is kept of each fact the guest reports of its environment."""


@dataclass(frozen=True)
class GuestRun:
    """What one batch in an environment gave back: an outcome per job, and what is installed."""

    outcomes: List[Any]
    """One per job, in the batch's order; a job the guest did not finish says why in its status."""
    freeze: List[str] = field(default_factory=list)
    """The environment's installed distributions (name==version), when the guest got that far."""
    refused: int = 0
    """Lines of the guest's output the host refused (each one a job's answer or no protocol at all)."""
    walls: Tuple[Optional[float], ...] = ()
    """Per job, the seconds its child lived (fork to exit, as the guest measured it), or None:
    what a job costs the schedule, its child's start and end included (lab/schedule.py)."""

    @property
    def records(self) -> List[Any]:
        return self.outcomes


class Batch:
    """The jobs one guest process runs, and what it said about them."""

    def __init__(self, env: str, jobs: Sequence[Any], kinds: Kinds, host_facts: Optional[Mapping[str, Any]] = None,
                 isolation: str = "fork", parallel: int = 1) -> None:
        self.env, self.jobs, self.kinds = env, list(jobs), kinds
        self.host_facts = dict(host_facts or {})
        self.isolation, self.parallel = isolation, parallel
        self.channel = Channel()

    def request(self, scenario_dirs: Sequence[str], job_timeout_s: float) -> Dict[str, Any]:
        """The guest's instructions: where scenarios live (in the shipment), what to run, in order."""
        return {"scenario_dirs": list(scenario_dirs), "job_timeout_s": job_timeout_s, "isolation": self.isolation,
                "jobs": [self.kinds.of(j).spec(j) for j in self.jobs]}

    def write(self, path: Path, scenario_dirs: Sequence[str], job_timeout_s: float) -> None:
        path.write_text(json.dumps(self.request(scenario_dirs, job_timeout_s)))

    def arguments(self, request: str, deadline_s: float, host_pid: int = 0) -> List[str]:
        """The guest's command line after the interpreter."""
        args = ["-m", GUEST, "--request", request, "--freeze", "--deadline", f"{deadline_s:g}",
                "--parallel", str(self.parallel)]
        return args + (["--host-pid", str(host_pid)] if host_pid else [])

    def feed(self, data: bytes) -> None:
        self.channel.feed(data)

    def answered(self) -> int:
        """How many jobs have an answer so far (for a progress bar)."""
        return len({a.index for a in self.channel.answers})

    def _facts(self) -> Dict[str, Any]:
        guest = {str(k)[:SHOWN_FACTS]: printable(str(v), SHOWN_FACTS) if not isinstance(v, (int, float, bool))
                 or v is None else v for k, v in list(self.channel.facts.items())[:50]}
        return {**guest, **self.host_facts}

    def result(self, missing: Status, why: str, log: str = "") -> GuestRun:
        """Every job's outcome: accepted answers; for the rest `missing`, with `why`, the job that
        was running when the guest stopped and the last words of its log."""
        self.channel.close()
        answers: Dict[int, List[JobLine]] = {}
        for answer in self.channel.answers:
            # Once per attempt; a kind that answers per cell (a session), once per cell of an attempt too.
            if answer.index < len(self.jobs) and answer.attempt in (1, 2) and (answer.attempt, answer.cell) not in [
                    (a.attempt, a.cell) for a in answers.get(answer.index, [])] and (
                    answer.cell is None or getattr(self.kinds.of(self.jobs[answer.index]), "per_cell", False)):
                answers.setdefault(answer.index, []).append(answer)
            else:
                self.channel.refused += 1
        facts = self._facts()
        outcomes: List[Any] = [None] * len(self.jobs)
        for index, given in answers.items():
            job = self.jobs[index]
            outcome = self.kinds.of(job).accept(job, self.env, given, facts)
            if outcome is None:
                self.channel.refused += 1
                outcome = self.kinds.of(job).missing(job, self.env, Status.CRASHED,
                                                     "its answer was refused: not a valid result for it", facts)
            outcomes[index] = outcome
        refused = self.channel.refused
        why = self._why(why, log, outcomes)
        if refused:
            why = f"{why}; {refused} line(s) from the guest refused as invalid"
        for index, job in enumerate(self.jobs):
            if outcomes[index] is None:
                outcomes[index] = self.kinds.of(job).missing(job, self.env, missing, why, self.host_facts)
        walls = tuple(_wall(answers[i][0].header) if i in answers else None for i in range(len(self.jobs)))
        return GuestRun(outcomes, self.channel.freeze, refused, walls)

    def _why(self, why: str, log: str, outcomes: List[Any]) -> str:
        started = [i for i, _ in self.channel.started if i < len(self.jobs) and outcomes[i] is None]
        if started:
            job = self.jobs[started[0]]
            why = f"{why} while running {self.kinds.of(job).label(job)}"
        words = last_words(log)
        return why + (f": {words}" if words else "")


def _wall(header: Mapping[str, Any]) -> Optional[float]:
    """A job's child's lifetime from the guest's header, when it is a plausible number."""
    wall = header.get("wall_s")
    return float(wall) if isinstance(wall, (int, float)) and not isinstance(wall, bool) and 0 <= wall < 1e6 else None
