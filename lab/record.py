"""The Record of a trial: frozen, versioned, and validated wherever it is read."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.guest.catalog import Mode
from lab.schemas import validate
from lab.status import FINISHED, SUCCEEDED, Status

__all__ = ["FINISHED", "SCHEMA_VERSION", "SUCCEEDED", "Record", "Status", "env_order", "unfinished"]

SCHEMA_VERSION = 1
"""The record format (lab/schemas/record.schema.json); bumped when a field changes meaning."""


@dataclass(frozen=True)
class Record:
    """The saved result of one trial: one twin of one scenario in one environment."""

    scenario: str
    """The scenario id."""
    mode: Mode
    """Which twin."""
    env: str
    """The environment's name ('local' or a matrix entry), from the host's plan."""
    seed: int
    """The seed set before the twin ran (Python, numpy, TensorFlow global and graph seeds)."""
    status: Status
    """OK, or why there are no (complete) observations: error, crashed, timeout, not_run."""
    observations: Mapping[str, Any] = field(default_factory=dict)
    """Key -> normalized value, in the order the twin recorded them."""
    error: Optional[Mapping[str, Any]] = None
    """For a non-ok status: the exception type and message, or what happened to the process."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """Environment facts: TensorFlow, Keras, numpy and Python versions, eager flag, variables."""
    duration_s: float = 0.0
    """Wall time of the twin; the one field that may differ between identical trials."""
    schema_version: int = SCHEMA_VERSION
    """The record format this was written in."""

    def __post_init__(self) -> None:
        # Accept the plain strings too ('graph', 'ok'), so a record built by hand is the same value.
        object.__setattr__(self, "mode", Mode(self.mode))
        object.__setattr__(self, "status", Status(self.status))

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def unfinished(self) -> bool:
        """The environment did not finish the trial (a crash, a timeout, never run)."""
        return self.status not in FINISHED

    @property
    def failed(self) -> bool:
        """The trial did not finish, or its twin raised: exit code 4."""
        return self.status not in SUCCEEDED

    def with_facts(self, extra: Mapping[str, Any]) -> Record:
        """The same record with `extra` facts added (the host's: image, interpreter)."""
        return replace(self, facts={**self.facts, **extra}) if extra else self

    def to_dict(self) -> Dict[str, Any]:
        return {"schema_version": self.schema_version, "scenario": self.scenario, "mode": self.mode.value,
                "env": self.env, "seed": self.seed, "status": self.status.value,
                "observations": dict(self.observations), "error": dict(self.error) if self.error else None,
                "facts": dict(self.facts), "duration_s": self.duration_s}

    def to_json(self) -> str:
        # Not sorted: observations keep the order the twin recorded them, which reads like the example.
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any, where: str = "record") -> Record:
        """A record read from a file: validated against the schema, one-line error otherwise."""
        if isinstance(data, dict) and data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise validate_version_error(where, data.get("schema_version"))
        validate(data, "record", where)
        return cls(data["scenario"], Mode(data["mode"]), data["env"], data["seed"], Status(data["status"]),
                   data["observations"], data["error"], data["facts"], float(data["duration_s"]),
                   data["schema_version"])

    def comparable(self) -> Dict[str, Any]:
        """Everything but the timing: what must be identical between repeated trials."""
        data = self.to_dict()
        data.pop("duration_s")
        return data


def validate_version_error(where: str, version: Any) -> Exception:
    from lab.schemas import RecordFormatError

    return RecordFormatError(f"{where}: record format {version!r}, this lab reads format {SCHEMA_VERSION}: "
                             "rerun with this lab, or read it with the lab version that wrote it", version)


def unfinished(scenario: str, mode: Mode, env: str, seed: int, status: Status, why: str,
               facts: Optional[Mapping[str, Any]] = None) -> Record:
    """The record of a trial an environment did not finish, saying why."""
    return Record(scenario, mode, env, seed, status, error={"type": status.value, "message": why},
                  facts=dict(facts or {}))


def _version_key(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3]) or (10**6,)


def env_order(records: Sequence[Record]) -> List[str]:
    """Environments by ascending TensorFlow version (unknown last), so drift reads in time."""
    versions: Dict[str, str] = {}
    for r in records:  # any record of the env that knows its version (a crashed one may not)
        versions.setdefault(r.env, "")
        if not versions[r.env] and r.facts.get("tensorflow"):
            versions[r.env] = str(r.facts["tensorflow"])
    return sorted(versions, key=lambda e: (_version_key(versions[e]) if versions[e] else (10**6,), e))
