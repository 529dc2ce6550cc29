"""A fake environment for tests: canned observations instead of TensorFlow, behind the same interface."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.environments.base import GuestRun, Note
from lab.errors import EnvironmentUnavailable
from lab.plan import Trial
from lab.record import Record, Status, unfinished

Canned = Mapping[Tuple[str, str], Any]


class FakeEnvironment:
    """Answers each trial from `canned[(scenario, mode)]`: a dict of observations, or an
    exception (an errored twin), or a status string (crashed, timeout, not_run). With
    `unavailable`, preparing it fails as an environment without TensorFlow would."""

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

    def run(self, trials: Sequence[Trial], shipment: Any, timeout_s: float) -> GuestRun:
        self.batches.append(list(trials))
        records = []
        for t in trials:
            answer = self.canned[(t.scenario, t.mode.value)]
            if isinstance(answer, BaseException):
                record = Record(t.scenario, t.mode, self.name, t.seed, Status.ERROR, facts=dict(self.facts),
                                error={"type": type(answer).__name__, "message": str(answer)})
            elif isinstance(answer, str):
                record = unfinished(t.scenario, t.mode, self.name, t.seed, Status(answer), f"fake {answer}",
                                    self.facts)
            else:
                record = Record(t.scenario, t.mode, self.name, t.seed, Status.OK, dict(answer), facts=dict(self.facts))
            records.append(record)
        return GuestRun(records)

    def run_job(self, job: Any, shipment: Any, timeout_s: float) -> None:
        if self.unavailable:
            raise EnvironmentUnavailable(self.unavailable)
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory(prefix="lab-fake-") as tmp:  # it runs no programs: none come back
            job.write(Path(tmp))
            job.collect(Path(tmp), Status.CRASHED, "the fake environment runs no programs")

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind}
