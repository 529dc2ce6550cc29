"""The trial kind: one twin of one scenario, in a child of the guest's warm worker."""

from __future__ import annotations

import ast
import hashlib
import json
import threading
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Set

from lab.channel import JobLine, parse_json
from lab.errors import LabError
from lab.guest.catalog import Scenario
from lab.jobs.ended import why_unanswered
from lab.jobs.registry import register
from lab.plan import Trial
from lab.record import FINISHED, Record, Status, unfinished
from lab.schemas import problem


def _is_scenario_class(node: ast.stmt) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "id", None) == "scenario" for d in node.decorator_list)


def scenario_fingerprint(scenario: Scenario) -> str:
    """The scenario's module without the OTHER scenarios in it, and the helper modules beside it
    (`_*.py`, which scenario modules may import): editing one scenario reruns only that one,
    while a helper or constant the module shares reruns them all."""
    source = Path(scenario.path).read_text()
    lines = source.splitlines(keepends=True)
    drop: Set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and _is_scenario_class(node) and node.name != scenario.class_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(first, (node.end_lineno or node.lineno) + 1))
    kept = "".join(line for number, line in enumerate(lines, 1) if number not in drop)
    digest = hashlib.sha256(kept.encode())
    for helper in sorted(Path(scenario.path).parent.glob("_*.py")):
        digest.update(b"\0" + helper.name.encode() + b"\0" + helper.read_bytes())
    return digest.hexdigest()


class TrialKind:
    """Trials as the execute stage runs them; the catalog gives each scenario's code to hash."""

    name = "trial"

    def __init__(self, scenarios: Mapping[str, Scenario]) -> None:
        self.scenarios = scenarios
        self._guest = ""  # hashed at the first key: a run without the cache never reads the files
        self._code: Dict[str, str] = {}
        # Environments compute keys in parallel threads, and CPython 3.11's ast.parse is not
        # thread-safe ("AST constructor recursion depth mismatch"): one parse at a time.
        self._lock = threading.Lock()

    def spec(self, trial: Trial) -> Dict[str, Any]:
        return {"kind": self.name, "scenario": trial.scenario, "mode": trial.mode.value, "seed": trial.seed}

    def label(self, trial: Trial) -> str:
        return str(trial)

    def key(self, trial: Trial, env: str, identity: str) -> str:
        """The key of one trial in one environment; `identity` is the environment's (image id, venv hash)."""
        from lab.environments.shipment import guest_fingerprint

        scenario = self.scenarios[trial.scenario]
        with self._lock:
            if not self._guest:
                self._guest = guest_fingerprint()
            if scenario.id not in self._code:
                self._code[scenario.id] = scenario_fingerprint(scenario)
        parts = {"env": env, "image": identity, "guest": self._guest, "scenario": scenario.id,
                 "code": self._code[scenario.id], "mode": trial.mode.value, "seed": trial.seed}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def accept(self, trial: Trial, env: str, answers: List[JobLine], facts: Mapping[str, Any]) -> Optional[Record]:
        """The record of the child's result: schema-valid and about this very trial (the host
        builds the record from its own plan: environment, scenario, mode and seed); a child
        that died without one gets a crashed or timeout record that says how it ended."""
        if [a.attempt for a in answers] != [1]:
            return None  # a trial runs once: the guest's worker never asks it twice
        answer = answers[0]
        if not answer.payload:
            status, why = why_unanswered(answer.header, "trial")
            return unfinished(trial.scenario, trial.mode, env, trial.seed, status, why, facts)
        data = parse_json(answer.payload)
        if (not isinstance(data, dict) or problem(data, "guest-result")
                or (data["scenario"], data["mode"]) != (trial.scenario, trial.mode.value)):
            return None
        return Record(trial.scenario, trial.mode, env, trial.seed, Status(data["status"]), data["observations"],
                      data["error"], {**data["facts"], **facts}, float(data["duration_s"]))

    def missing(self, trial: Trial, env: str, status: Status, why: str, facts: Mapping[str, Any]) -> Record:
        return unfinished(trial.scenario, trial.mode, env, trial.seed, status, why, facts)

    def from_cache(self, trial: Trial, env: str, data: Any) -> Optional[Record]:
        try:
            record = Record.from_dict(data, "cached record")
        except (ValueError, TypeError, LabError):
            return None  # of another format: run the trial again
        same = (record.scenario, record.mode, record.env, record.seed) == (trial.scenario, trial.mode, env, trial.seed)
        return record if same else None

    def to_cache(self, record: Record) -> Optional[Dict[str, Any]]:
        return record.to_dict() if record.status in FINISHED else None  # a crash or timeout should run again


register(Trial, TrialKind)
