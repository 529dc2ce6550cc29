"""The program kind: one document program's text, run as a script in a child of the warm worker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from lab.channel import JobLine, parse_json
from lab.jobs.ended import why_unanswered
from lab.jobs.registry import register
from lab.status import FINISHED, Status

MAX_TEXT = 20 << 10
"""What the host keeps of a program's stdout or stderr (the guest sends at most 16 KiB of each)."""
_GUEST_STATUS = {"ran": Status.OK, "raised": Status.ERROR, "syntax_error": Status.SYNTAX_ERROR}


@dataclass(frozen=True)
class ProgramJob:
    """A program's text, with the time limit of one run and how many runs (2 tells a block that
    prints other numbers on every run). Programs of the same text are one job."""

    text: str
    timeout_s: float = 60.0
    repeat: int = 2

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def __str__(self) -> str:
        return f"program {self.digest[:12]}"


class RunByTheEnvironment:
    """A document's job result: only NOT_RUN (the environment did not run it) is the run's failure."""

    status: Status

    @property
    def unfinished(self) -> bool:
        """The environment did not run it (a program's own crash or timeout is what it did)."""
        return self.status is Status.NOT_RUN

    @property
    def failed(self) -> bool:
        """A program that raised is a finding about the document, not a failure of the run."""
        return self.unfinished


@dataclass(frozen=True)
class ProgramResult(RunByTheEnvironment):
    """What one program did in one environment."""

    status: Status
    """OK (ran), ERROR (raised), SYNTAX_ERROR, TIMEOUT, CRASHED, or NOT_RUN (the environment did not run it)."""
    error: Optional[Mapping[str, Any]] = None
    """type, message (first line), line (in the program)."""
    stdout: Mapping[str, Any] = field(default_factory=lambda: {"text": "", "bytes": 0})
    """text (bounded: the start and the end) and bytes (the full size)."""
    stderr: Mapping[str, Any] = field(default_factory=lambda: {"text": "", "bytes": 0})
    duration_s: float = 0.0
    repeat: Optional[Mapping[str, Any]] = None
    """The second run of a program that ran and printed digits: status and stdout."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """The environment's Python, TensorFlow and numpy versions, as its guest said."""

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        if self.repeat is not None:
            data["repeat"] = {"status": Status(self.repeat["status"]).value, "stdout": dict(self.repeat["stdout"])}
        return data


def stream(value: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str) or not count(value.get("bytes")):
        return None
    return {"text": value["text"][:MAX_TEXT], "bytes": value["bytes"]}


def seconds(value: Any) -> Optional[float]:
    """A duration from the guest: a finite number of seconds, 0 up to ~11 days; else None (JSON
    from a guest may say NaN, Infinity or -1e308)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e6:
        return float(value)
    return None


def count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def checked_error(value: Any) -> Optional[Dict[str, Any]]:
    """An error from the guest, as the host keeps it (type, message, line), or None when it is no error."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str) or not isinstance(
            value.get("message"), str):
        return None
    line = value.get("line")
    return {"type": value["type"][:100], "message": value["message"][:500],
            "line": line if count(line) else None}


def _attempt(answer: JobLine, job: ProgramJob) -> Optional[Dict[str, Any]]:
    """One run: the child's own result (status, error, duration) and the output the guest read."""
    header = answer.header
    stdout, stderr = stream(header.get("stdout")), stream(header.get("stderr"))
    if stdout is None or stderr is None:
        return None
    ended = header.get("ended")
    if ended == "timeout":
        return {"status": Status.TIMEOUT, "stdout": stdout, "stderr": stderr, "duration_s": 0.0,
                "error": {"type": "Timeout", "message": f"ran past {job.timeout_s:g}s", "line": None}}
    data = parse_json(answer.payload) if answer.payload else None
    if data is None:
        _, why = why_unanswered(header, "program")
        return {"status": Status.CRASHED, "stdout": stdout, "stderr": stderr, "duration_s": 0.0,
                "error": {"type": "Crashed", "message": why, "line": None}}
    if not isinstance(data, dict) or data.get("status") not in _GUEST_STATUS:
        return None
    error = checked_error(data.get("error")) if data.get("error") is not None else None
    duration = seconds(data.get("duration_s"))
    status = _GUEST_STATUS[data["status"]]
    if (data.get("error") is not None and error is None) or (status is Status.OK) != (error is None) or (
            duration is None):
        return None
    return {"status": status, "error": error, "stdout": stdout, "stderr": stderr, "duration_s": duration}


def shown_facts(facts: Mapping[str, Any]) -> Dict[str, str]:
    """The versions a program's outcome shows: Python, TensorFlow, numpy."""
    return {k: str(facts[k])[:40] for k in ("python", "tensorflow", "numpy") if facts.get(k) is not None}


class ProgramKind:
    """Programs as the execute stage runs them."""

    name = "program"

    def __init__(self, scenarios: Mapping[str, Any]) -> None:
        self._guest = ""

    def spec(self, job: ProgramJob) -> Dict[str, Any]:
        return {"kind": self.name, "text": job.text, "timeout_s": job.timeout_s, "repeat": job.repeat}

    def label(self, job: ProgramJob) -> str:
        return str(job)

    def key(self, job: ProgramJob, env: str, identity: str) -> str:
        from lab.environments.shipment import guest_fingerprint

        self._guest = self._guest or guest_fingerprint()
        parts = {"kind": self.name, "guest": self._guest, "env": env, "identity": identity,
                 "timeout_s": job.timeout_s, "repeat": job.repeat, "text": job.digest}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def accept(self, job: ProgramJob, env: str, answers: List[JobLine],
               facts: Mapping[str, Any]) -> Optional[ProgramResult]:
        if any(a.cell is not None for a in answers):
            return None  # a program answers as a whole, never per cell
        runs = [_attempt(a, job) for a in sorted(answers, key=lambda a: a.attempt)]
        if not runs or any(r is None for r in runs) or len(runs) > 2:
            return None
        first = runs[0]
        assert first is not None
        again = runs[1] if len(runs) > 1 else None
        repeat = {"status": again["status"], "stdout": again["stdout"]} if again else None
        return ProgramResult(first["status"], first["error"], first["stdout"], first["stderr"], first["duration_s"],
                             repeat, shown_facts(facts))

    def missing(self, job: ProgramJob, env: str, status: Status, why: str, facts: Mapping[str, Any]) -> ProgramResult:
        return ProgramResult(Status.NOT_RUN, {"type": status.value, "message": why, "line": None},
                             facts=shown_facts(facts))

    def from_cache(self, job: ProgramJob, env: str, data: Any) -> Optional[ProgramResult]:
        try:
            repeat = data.get("repeat")
            result = ProgramResult(Status(data["status"]), data["error"], stream(data["stdout"]) or {},
                                   stream(data["stderr"]) or {}, float(data["duration_s"]),
                                   {"status": Status(repeat["status"]), "stdout": stream(repeat["stdout"])}
                                   if repeat else None, {str(k): str(v) for k, v in data["facts"].items()})
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        ok = result.status in FINISHED + (Status.TIMEOUT, Status.CRASHED) and result.stdout and result.stderr
        return result if ok else None

    def to_cache(self, result: ProgramResult) -> Optional[Dict[str, Any]]:
        return result.to_dict() if result.status is not Status.NOT_RUN else None


register(ProgramJob, ProgramKind)
