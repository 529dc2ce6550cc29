"""The session kind: a document's cells, in order and in one state, as a kernel runs them.

The guest runs them in its fork chain (lab/guest/verbatim/session.py) and answers a line per cell
as it goes, then the job's own header. The host takes a cell's answer only for a cell the job has,
once, well formed and bounded; a cell's error can come from its own code or an earlier cell's,
never a later one. A cell without an answer gets an outcome that says why (the session's time ran
out; its process died in an earlier cell, as a dead kernel; the environment stopped).

A cell's cache key is a chain: the hash of the guest, the environment, the time limit and every
cell up to it. A session is kept in the cache under its last cell's key, so an edit anywhere runs
the document's session again (the cells after the edit need the state the cells before it left).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.channel import JobLine, parse_json
from lab.jobs.ended import signal_name, why_unanswered
from lab.jobs.program import RunByTheEnvironment, checked_error, count, seconds, shown_facts, stream
from lab.jobs.registry import register
from lab.status import Status

START_S = 30.0
"""A session's time beyond its cells' own limits: the chain's start and end."""
CELL_MARGIN_S = 7.0
"""Each cell's time beyond its limit: an interrupted cell's grace (5 s) and the fork and files."""
MAX_VALUE = 20 << 10
"""What the host keeps of a cell's shown value (the guest sends at most 16 KiB)."""
_CELL_STATUS = {"ran": Status.OK, "raised": Status.ERROR, "syntax_error": Status.SYNTAX_ERROR,
                "timeout": Status.TIMEOUT, "crashed": Status.CRASHED, "shell": Status.SHELL}
_HOW = ("discarded", "interrupted", "stopped", "ended")


@dataclass(frozen=True)
class Cell:
    """One cell as the guest runs it."""

    text: str
    shows_value: bool = False
    """A kernel would show the value of its last line (`Out[n]`)."""
    kind: str = "code"
    """'code', or 'shell' (commands and magics only: answered as shell, not run)."""


@dataclass(frozen=True)
class SessionJob:
    """A document's cells, each with the time limit of one cell."""

    cells: Tuple[Cell, ...]
    timeout_s: float = 60.0

    @property
    def budget_s(self) -> float:
        """The whole session's time limit: every cell's, and a margin."""
        return len(self.cells) * (self.timeout_s + CELL_MARGIN_S) + START_S

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([asdict(c) for c in self.cells]).encode()).hexdigest()

    def cell_keys(self, base: str) -> List[str]:
        """Each cell's key: the hash of `base` (guest, environment, time limit) and every cell up to it."""
        keys, key = [], base
        for cell in self.cells:
            key = hashlib.sha256((key + json.dumps(asdict(cell), sort_keys=True)).encode()).hexdigest()
            keys.append(key)
        return keys

    def __str__(self) -> str:
        return f"session {self.digest[:12]}"


@dataclass(frozen=True)
class CellResult:
    """What one cell of a session did."""

    status: Status
    """OK, ERROR, SYNTAX_ERROR, TIMEOUT, CRASHED, SHELL (not run), NOT_REACHED (the session ended
    before it), or NOT_RUN (the environment stopped before it)."""
    error: Optional[Mapping[str, Any]] = None
    """type, message (first line), line, cell (the position of the cell whose code raised it)."""
    stdout: Mapping[str, Any] = field(default_factory=lambda: {"text": "", "bytes": 0})
    stderr: Mapping[str, Any] = field(default_factory=lambda: {"text": "", "bytes": 0})
    value: Optional[str] = None
    """The text of its last line's value, where a kernel shows one (`Out[n]`)."""
    duration_s: float = 0.0
    forked: bool = False
    """It ran in a child forked for it (and would have been discarded at a timeout or a crash)."""
    ends: bool = False
    """Its process died with it (a timeout or a crash in the chain's own process): the session ended there."""

    def to_dict(self) -> Dict[str, Any]:
        return dict(asdict(self), status=self.status.value)


@dataclass(frozen=True)
class SessionResult(RunByTheEnvironment):
    """What a session did in one environment: a result per cell."""

    status: Status
    """OK when the session came to its end in the guest; NOT_RUN when the environment stopped it."""
    cells: Tuple[CellResult, ...]
    duration_s: float = 0.0
    facts: Mapping[str, Any] = field(default_factory=dict)
    error: Optional[Mapping[str, Any]] = None
    """For NOT_RUN: why."""

    def to_dict(self) -> Dict[str, Any]:
        return {"status": self.status.value, "cells": [c.to_dict() for c in self.cells],
                "duration_s": self.duration_s, "facts": dict(self.facts), "error": self.error}


def _error(value: Any, position: int) -> Optional[Dict[str, Any]]:
    error = checked_error(value)
    if error is None:
        return None
    cell = value.get("cell")
    if cell is not None and not (count(cell) and cell <= position):
        return None  # a cell raises from its own code or an earlier cell's, never a later one's
    return {**error, "cell": cell}


def _timing(job: SessionJob, how: str) -> str:
    limit = f"ran past {job.timeout_s:g}s"
    return {"discarded": f"{limit}: stopped, and the next cell runs in the state before it",
            "interrupted": f"{limit}: interrupted (KeyboardInterrupt), as Jupyter interrupts a kernel; the next "
                           "cell runs in the state it left",
            }.get(how, f"{limit} and did not stop when interrupted: its process was ended, and the session with it")


def _death(data: Mapping[str, Any]) -> str:
    signal, code = data.get("signal"), data.get("exit")
    what = (f"its process was killed by {signal_name(signal)}" if isinstance(signal, int) and count(signal)
            else f"its process exited with code {code}" if count(code) else "its process ended")
    if data.get("how") == "discarded":
        return what + "; the next cell runs in the state before it"
    return what + ", which ends the session, as a kernel that dies"


def parse_cell(payload: bytes, job: SessionJob, position: int) -> Optional[CellResult]:
    """A cell's answer, checked; None when it is no valid result for that cell."""
    data = parse_json(payload)
    if not isinstance(data, dict) or data.get("status") not in _CELL_STATUS:
        return None
    status = _CELL_STATUS[data["status"]]
    nothing = {"text": "", "bytes": 0}
    out, err = stream(data.get("stdout", nothing)), stream(data.get("stderr", nothing))
    duration, how, value = seconds(data.get("duration_s")), data.get("how"), data.get("value")
    if out is None or err is None or duration is None:
        return None
    if (value is not None and not isinstance(value, str)) or (how is not None and how not in _HOW):
        return None
    if status in (Status.TIMEOUT, Status.CRASHED) and how is None:
        return None  # the guest always says how a cell's process ended: whether the session goes on
    error = None
    if status in (Status.ERROR, Status.SYNTAX_ERROR):
        error = _error(data.get("error"), position)
        if error is None:
            return None
    elif status is Status.TIMEOUT:
        error = {"type": "Timeout", "message": _timing(job, str(how)), "line": None, "cell": None}
    elif status is Status.CRASHED:
        error = {"type": "Crashed", "message": _death(data), "line": None, "cell": None}
    elif data.get("error") is not None:
        return None
    if status is Status.SHELL and job.cells[position].kind != "shell":
        return None
    return CellResult(status, error, out, err, value[:MAX_VALUE] if value is not None else None, duration,
                      data.get("forked") is True, status in (Status.TIMEOUT, Status.CRASHED) and how in ("stopped",
                                                                                                       "ended"))


def _unanswered(job: SessionJob, header: Mapping[str, Any], answered: Mapping[int, CellResult]) -> Tuple[
        Status, str, Optional[int]]:
    """The status and why of the first cell without an answer after the session ended, and the
    position of the cell the session ended in, when one did."""
    ended = header.get("ended")
    if ended == "timeout":
        return Status.TIMEOUT, f"the session ran past its time ({job.budget_s:g}s for {len(job.cells)} cells)", None
    if ended == "exit" and header.get("code") == 0:
        died = sorted(k for k, c in answered.items() if c.ends)
        if died:
            return Status.NOT_REACHED, ("the session's process died in an earlier cell, so this cell never ran (as "
                                        "in a kernel that died)"), died[-1]
        return Status.NOT_REACHED, "the session ended before this cell", None
    status, why = why_unanswered(header, "session")
    return status, why, None


class SessionKind:
    """Sessions as the execute stage runs them."""

    name = "session"
    per_cell = True
    """Its guest answers once per cell (lab/environments/batch.py takes such answers for this kind only)."""

    def __init__(self, scenarios: Mapping[str, Any]) -> None:
        self._guest = ""

    def spec(self, job: SessionJob) -> Dict[str, Any]:
        return {"kind": self.name, "timeout_s": job.budget_s, "cell_timeout_s": job.timeout_s,
                "cells": [asdict(c) for c in job.cells]}

    def label(self, job: SessionJob) -> str:
        return str(job)

    def key(self, job: SessionJob, env: str, identity: str) -> str:
        from lab.environments.shipment import guest_fingerprint

        self._guest = self._guest or guest_fingerprint()
        base = hashlib.sha256(json.dumps({"kind": self.name, "guest": self._guest, "env": env, "identity": identity,
                                          "timeout_s": job.timeout_s}, sort_keys=True).encode()).hexdigest()
        return job.cell_keys(base)[-1] if job.cells else base

    def accept(self, job: SessionJob, env: str, answers: List[JobLine],
               facts: Mapping[str, Any]) -> Optional[SessionResult]:
        if any(a.attempt != 1 for a in answers):
            return None  # a session runs once
        finals = [a for a in answers if a.cell is None]
        answered: Dict[int, CellResult] = {}
        for answer in answers:
            if answer.cell is None:
                continue
            if answer.cell >= len(job.cells):
                return None
            parsed = parse_cell(answer.payload, job, answer.cell)
            if parsed is None:
                return None
            answered[answer.cell] = parsed
        if len(finals) > 1 or (finals and finals[0].payload):
            return None
        shown = shown_facts(facts)
        if not finals:  # the guest stopped in the middle of the session
            why = "the environment stopped before this cell (see its problem)"
            cells = [answered.get(k) or CellResult(Status.NOT_RUN, {"type": "not_run", "message": why,
                                                                    "line": None, "cell": None})
                     for k in range(len(job.cells))]
            return SessionResult(Status.NOT_RUN, tuple(cells), sum(c.duration_s for c in cells), shown,
                                 {"type": "not_run", "message": "the environment stopped in the middle of the session"})
        status, why, where = _unanswered(job, finals[0].header, answered)
        cells = []
        for k in range(len(job.cells)):
            if k in answered:
                cells.append(answered[k])
                continue
            cells.append(CellResult(status, {"type": status.value, "message": why, "line": None, "cell": where}))
            if status is not Status.NOT_REACHED:
                status, why, where = Status.NOT_REACHED, "the session ended in an earlier cell, before this one", k
        return SessionResult(Status.OK, tuple(cells), seconds(finals[0].header.get("wall_s")) or 0.0, shown)

    def missing(self, job: SessionJob, env: str, status: Status, why: str, facts: Mapping[str, Any]) -> SessionResult:
        error = {"type": status.value, "message": why, "line": None, "cell": None}
        return SessionResult(Status.NOT_RUN, tuple(CellResult(Status.NOT_RUN, error) for _ in job.cells),
                             facts=shown_facts(facts), error=error)

    def from_cache(self, job: SessionJob, env: str, data: Any) -> Optional[SessionResult]:
        try:
            cells = tuple(CellResult(Status(c["status"]), c["error"], stream(c["stdout"]) or {},
                                     stream(c["stderr"]) or {}, c["value"], float(c["duration_s"]), bool(c["forked"]),
                                     bool(c["ends"]))
                          for c in data["cells"])
            result = SessionResult(Status(data["status"]), cells, float(data["duration_s"]),
                                   {str(k): str(v) for k, v in data["facts"].items()})
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        ok = result.status is Status.OK and len(cells) == len(job.cells) and all(c.stdout and c.stderr for c in cells)
        return result if ok else None

    def to_cache(self, result: SessionResult) -> Optional[Dict[str, Any]]:
        return result.to_dict() if result.status is Status.OK else None


register(SessionJob, SessionKind)
