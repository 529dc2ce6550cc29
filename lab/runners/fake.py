"""A fake runner for tests: canned observations instead of TensorFlow."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lab.observe import STATUS_ERROR, STATUS_OK, Record
from lab.runners.base import Trial

Canned = Mapping[Tuple[str, str], Any]


class FakeRunner:
    """Answers each trial from `canned[(scenario, mode)]`: a dict of observations, or an
    exception (an errored twin), or a status string (crashed, timeout, not_run)."""

    def __init__(self, canned: Canned, env: str = "fake", facts: Dict[str, Any] | None = None) -> None:
        self.canned = canned
        self.env = env
        self.facts = facts or {"tensorflow": "0.0-fake"}
        self.batches: List[List[Trial]] = []

    def run(self, trials: Sequence[Trial]) -> List[Record]:
        self.batches.append(list(trials))
        records = []
        for t in trials:
            answer = self.canned[(t.scenario, t.mode.value)]
            record = Record(t.scenario, t.mode.value, self.env, t.seed, STATUS_OK, facts=dict(self.facts))
            if isinstance(answer, BaseException):
                record.status, record.error = STATUS_ERROR, {"type": type(answer).__name__, "message": str(answer)}
            elif isinstance(answer, str):
                record.status, record.error = answer, {"type": answer, "message": f"fake {answer}"}
            else:
                record.observations = dict(answer)
            records.append(record)
        return records
