"""A fake environment for tests: canned observations instead of TensorFlow, behind the same interface."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.environments.base import Note, State
from lab.environments.batch import Batch, GuestRun
from lab.errors import EnvironmentUnavailable
from lab.plan import Trial
from lab.record import Record, Status, unfinished

Canned = Mapping[Tuple[str, str], Any]


class FakeEnvironment:
    """Answers each trial from `canned[(scenario, mode)]`: a dict of observations, or an
    exception (an errored twin), or a status string (crashed, timeout, not_run). With
    `unavailable`, preparing it fails as an environment without TensorFlow would. Not a
    registered kind: tests make it directly."""

    kind = "fake"

    def __init__(self, canned: Canned, name: str = "fake", facts: Optional[Dict[str, Any]] = None,
                 unavailable: str = "") -> None:
        self.canned = canned
        self.name = name
        self.facts = facts or {"tensorflow": "0.0-fake"}
        self.unavailable = unavailable
        self.batches: List[List[Trial]] = []

    def check(self) -> None:
        pass

    def prepare(self, note: Note) -> None:
        if self.unavailable:
            raise EnvironmentUnavailable(self.unavailable)

    def identity(self) -> Optional[str]:
        return None

    def stop(self) -> None:
        pass

    def run(self, batch: Batch, shipment: Any, timeout_s: float) -> GuestRun:
        trials = [j for j in batch.jobs if isinstance(j, Trial)]
        self.batches.append(trials)
        outcomes = []
        for job in batch.jobs:
            if not isinstance(job, Trial):  # it runs no programs: none come back
                outcomes.append(batch.kinds.of(job).missing(job, self.name, Status.CRASHED,
                                                            "the fake environment runs no programs", {}))
                continue
            t, answer = job, self.canned[(job.scenario, job.mode.value)]
            if isinstance(answer, BaseException):
                record = Record(t.scenario, t.mode, self.name, t.seed, Status.ERROR, facts=dict(self.facts),
                                error={"type": type(answer).__name__, "message": str(answer)})
            elif isinstance(answer, str):
                record = unfinished(t.scenario, t.mode, self.name, t.seed, Status(answer), f"fake {answer}",
                                    self.facts)
            else:
                record = Record(t.scenario, t.mode, self.name, t.seed, Status.OK, dict(answer), facts=dict(self.facts))
            outcomes.append(record)
        return GuestRun(outcomes)

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind}

    def state(self, probe: bool = False) -> State:
        return State(made=not self.unavailable, versions={"tensorflow": str(self.facts.get("tensorflow", ""))})

    def forget(self) -> str:
        return "nothing to remove: a fake environment is never made"
